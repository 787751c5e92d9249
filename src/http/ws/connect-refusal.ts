// A refused Socket.IO connection: the client's `connect_error` carries `data = { code, message }` from the error catalogue.
import type { ExtendedError } from 'socket.io';
import type { AppError } from '../../errors/index.js';

/** The error a namespace middleware passes to `next()` to refuse a connection with a stable code. */
export function connectRefusal(error: AppError): ExtendedError {
  const refusal: ExtendedError = new Error(error.message);
  refusal.data = { code: error.code, message: error.message };
  return refusal;
}
