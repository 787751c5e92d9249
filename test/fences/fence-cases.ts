// One forbidden import per rule of .dependency-cruiser.cjs: the files to add to the fence fixture and the rules that must fire.

/** A violation to plant: files written over the fixture tree, and exactly the rules that must then fire. */
export interface FenceCase {
  /** What the planted import does wrong, as the test title. */
  title: string;
  files: Record<string, string>;
  rules: string[];
}

const probe = (imports: string, uses: string) => `// Planted by the fence test.\n${imports}\nexport const planted = ${uses};\n`;

const implementation = (comment: string) => `// Planted by the fence test: ${comment}.\nexport const implementation = true;\n`;

export const FENCE_CASES: FenceCase[] = [
  {
    title: 'a cycle between two domain modules',
    files: {
      'src/domain/cycle-a.ts': probe("import { b } from './cycle-b.js';", 'b'),
      'src/domain/cycle-b.ts': probe("import { planted as a } from './cycle-a.js';", '() => a\nexport const b = 1'),
    },
    rules: ['no-circular'],
  },
  { title: 'domain importing errors', files: { 'src/domain/bad.ts': probe("import { AppError } from '../errors/app-error.js';", 'AppError') }, rules: ['table-domain'] },
  { title: 'domain importing an npm package', files: { 'src/domain/bad.ts': probe("import pino from 'pino';", 'pino') }, rules: ['table-domain'] },
  { title: 'errors importing config', files: { 'src/errors/bad.ts': probe("import { CONFIG_STATES } from '../config/schema.js';", 'CONFIG_STATES') }, rules: ['table-errors'] },
  { title: 'errors importing an npm package', files: { 'src/errors/bad.ts': probe("import pino from 'pino';", 'pino') }, rules: ['table-errors'] },
  { title: 'logging importing config', files: { 'src/logging/bad.ts': probe("import { CONFIG_STATES } from '../config/schema.js';", 'CONFIG_STATES') }, rules: ['table-logging'] },
  { title: 'contract importing errors', files: { 'src/contract/bad.ts': probe("import { AppError } from '../errors/app-error.js';", 'AppError') }, rules: ['table-contract'] },
  { title: 'contract importing the submission service', files: { 'src/contract/bad.ts': probe("import type { SubmissionService } from '../submissions/submission-service.js';", 'null as SubmissionService | null') }, rules: ['table-contract'] },
  { title: 'config importing logging', files: { 'src/config/bad.ts': probe("import { createLogger } from '../logging/logger.js';", 'createLogger') }, rules: ['table-config'] },
  { title: 'languages importing the engine', files: { 'src/languages/bad.ts': probe("import type { Engine } from '../engine/engine.js';", 'null as Engine | null') }, rules: ['table-languages'] },
  { title: 'sandbox importing config', files: { 'src/sandbox/bad.ts': probe("import { CONFIG_STATES } from '../config/schema.js';", 'CONFIG_STATES') }, rules: ['table-sandbox'] },
  { title: 'engine importing the store (type only)', files: { 'src/engine/bad.ts': probe("import type { Store } from '../store/store.js';", 'null as Store | null') }, rules: ['table-engine'] },
  { title: 'engine importing the sandbox factory', files: { 'src/engine/bad.ts': probe("import { createBwrapSandbox } from '../sandbox/bwrap/create-bwrap-sandbox.js';", 'createBwrapSandbox') }, rules: ['table-engine', 'composition-only-sandbox-bwrap'] },
  { title: 'queue importing the store', files: { 'src/queue/bad.ts': probe("import type { Store } from '../store/store.js';", 'null as Store | null') }, rules: ['table-queue'] },
  { title: 'store importing the queue', files: { 'src/store/bad.ts': probe("import type { JobQueue } from '../queue/job-queue.js';", 'null as JobQueue | null') }, rules: ['table-store'] },
  { title: 'metrics importing the store', files: { 'src/metrics/bad.ts': probe("import type { Store } from '../store/store.js';", 'null as Store | null') }, rules: ['table-metrics'] },
  { title: 'auth importing the store', files: { 'src/auth/bad.ts': probe("import type { Store } from '../store/store.js';", 'null as Store | null') }, rules: ['table-auth'] },
  { title: 'submissions importing the HTTP app', files: { 'src/submissions/bad.ts': probe("import { buildHttpApp } from '../http/app.js';", 'buildHttpApp') }, rules: ['table-submissions'] },
  { title: 'rooms importing the HTTP app', files: { 'src/rooms/bad.ts': probe("import { buildHttpApp } from '../http/app.js';", 'buildHttpApp') }, rules: ['table-rooms'] },
  { title: 'http importing the engine', files: { 'src/http/bad.ts': probe("import type { Engine } from '../engine/engine.js';", 'null as Engine | null') }, rules: ['table-http'] },
  { title: 'cli importing the store', files: { 'src/cli/bad.ts': probe("import type { Store } from '../store/store.js';", 'null as Store | null') }, rules: ['table-cli'] },
  {
    title: 'main.ts importing the store instead of asking the composition root',
    files: { 'src/main.ts': probe("import type { Store } from './store/store.js';", 'null as Store | null') },
    rules: ['table-main-ts'],
  },
  {
    title: 'a store module outside sqlite/ importing the SQLite store',
    files: { 'src/store/kysely/bad.ts': probe("import { SqliteStore } from '../sqlite/sqlite-store.js';", 'SqliteStore') },
    rules: ['composition-only-store-sqlite'],
  },
  {
    title: 'a store module importing the PostgreSQL store',
    files: {
      'src/store/postgres/postgres-store.ts': implementation('the PostgreSQL store'),
      'src/store/bad.ts': probe("import { implementation } from './postgres/postgres-store.js';", 'implementation'),
    },
    rules: ['composition-only-store-postgres'],
  },
  {
    title: 'a queue module importing the memory queue',
    files: { 'src/queue/bad.ts': probe("import { MemoryJobQueue } from './memory/memory-job-queue.js';", 'MemoryJobQueue') },
    rules: ['composition-only-queue-memory'],
  },
  {
    title: 'a queue module importing the BullMQ queue',
    files: {
      'src/queue/bullmq/bullmq-job-queue.ts': implementation('the BullMQ queue'),
      'src/queue/bad.ts': probe("import { implementation } from './bullmq/bullmq-job-queue.js';", 'implementation'),
    },
    rules: ['composition-only-queue-bullmq'],
  },
  {
    title: 'a queue module importing the Redis queue',
    files: { 'src/queue/bad.ts': probe("import { RedisJobQueue } from './redis/redis-job-queue.js';", 'RedisJobQueue') },
    rules: ['composition-only-queue-redis'],
  },
  {
    title: 'a sandbox module importing the bwrap sandbox',
    files: { 'src/sandbox/bad.ts': probe("import { BwrapSandbox } from './bwrap/bwrap-sandbox.js';", 'BwrapSandbox') },
    rules: ['composition-only-sandbox-bwrap'],
  },
  {
    title: 'a sandbox module importing the resident sandbox',
    files: {
      'src/sandbox/resident/resident-sandbox.ts': implementation('the resident sandbox'),
      'src/sandbox/bad.ts': probe("import { implementation } from './resident/resident-sandbox.js';", 'implementation'),
    },
    rules: ['composition-only-sandbox-resident'],
  },
  {
    title: 'the engine importing better-sqlite3',
    files: { 'src/engine/bad.ts': probe("import Database from 'better-sqlite3';", 'Database') },
    rules: ['driver-better-sqlite3'],
  },
  { title: 'the SQLite store importing pg', files: { 'src/store/sqlite/bad.ts': probe("import pg from 'pg';", 'pg') }, rules: ['driver-pg'] },
  { title: 'the memory queue importing bullmq', files: { 'src/queue/memory/bad.ts': probe("import { Queue } from 'bullmq';", 'Queue') }, rules: ['driver-bullmq'] },
  { title: 'the submissions importing ioredis', files: { 'src/submissions/bad.ts': probe("import Redis from 'ioredis';", 'Redis') }, rules: ['driver-ioredis'] },
  { title: 'rooms importing ioredis', files: { 'src/rooms/bad.ts': probe("import { Redis } from 'ioredis';", 'Redis') }, rules: ['driver-ioredis'] },
  {
    title: 'rooms importing the Redis room cluster',
    files: { 'src/rooms/bad.ts': probe("import { RedisRoomCluster } from '../realtime-cluster/redis-room-cluster.js';", 'RedisRoomCluster') },
    rules: ['table-rooms', 'composition-only-realtime-cluster'],
  },
  { title: 'the room cluster importing the HTTP app', files: { 'src/realtime-cluster/bad.ts': probe("import { buildHttpApp } from '../http/app.js';", 'buildHttpApp') }, rules: ['table-realtime-cluster'] },
  { title: 'the memory queue importing ioredis', files: { 'src/queue/memory/bad.ts': probe("import { Redis } from 'ioredis';", 'Redis') }, rules: ['driver-ioredis'] },
  { title: 'a route outside the Redis rate-limit store importing ioredis', files: { 'src/http/routes/bad.ts': probe("import { Redis } from 'ioredis';", 'Redis') }, rules: ['driver-ioredis'] },
  { title: 'rooms importing Socket.IO', files: { 'src/rooms/bad.ts': probe("import type { Server } from 'socket.io';", 'null as Server | null') }, rules: ['driver-transport'] },
  { title: 'the service importing Fastify', files: { 'src/submissions/bad.ts': probe("import Fastify from 'fastify';", 'Fastify') }, rules: ['driver-transport'] },
];
