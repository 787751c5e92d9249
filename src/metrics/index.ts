// Public surface of the metrics module.
export { Metrics, type MetricsOptions, type MetricsSource } from './metrics.js';
