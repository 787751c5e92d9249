import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { RoomDocument, SERVER_ORIGIN, type ChangeOrigin } from './room-document.js';

const created: RoomDocument[] = [];
afterEach(() => {
  // Awareness keeps a timer until destroyed.
  for (const document of created.splice(0)) document.destroy();
});

function documentWith(code: string): { document: RoomDocument; relayed: Array<{ message: Uint8Array; origin: ChangeOrigin }> } {
  const relayed: Array<{ message: Uint8Array; origin: ChangeOrigin }> = [];
  const document = new RoomDocument({ document: null, code }, { onUpdate: (message, origin) => relayed.push({ message, origin }), onAwareness: () => undefined });
  created.push(document);
  return { document, relayed };
}

/** A client doc synced from the server's greeting. */
function clientOf(document: RoomDocument): Y.Doc {
  const client = new Y.Doc();
  for (const message of document.greeting().sync) syncProtocol.readSyncMessage(decoding.createDecoder(message), encoding.createEncoder(), client, 'server');
  return client;
}

function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

describe('RoomDocument', () => {
  describe('when a client joins', () => {
    it('should hand it the whole text in the greeting', () => {
      const { document } = documentWith('print(1)\n');
      expect(clientOf(document).getText('code').toString()).toBe('print(1)\n');
    });
  });

  describe('when the text is replaced', () => {
    it('should change only the differing middle, so a concurrent edit at the start survives', () => {
      const { document, relayed } = documentWith('alpha beta gamma');
      const client = clientOf(document);
      client.getText('code').insert(0, '>> ');
      document.replace('alpha BETA gamma');
      Y.applyUpdate(client, syncPayload(relayed.at(-1)!.message));
      document.receiveSync(updateMessage(Y.encodeStateAsUpdate(client)), 'client-1');
      expect(document.content).toBe('>> alpha BETA gamma');
      expect(client.getText('code').toString()).toBe('>> alpha BETA gamma');
      expect(relayed.at(-1)!.origin).toBe('client-1');
      expect(relayed.some((entry) => entry.origin === SERVER_ORIGIN)).toBe(true);
    });
  });

  describe('when a sync message is malformed', () => {
    it.each([
      ['an unknown message type', new Uint8Array([9, 0])],
      ['a truncated update', new Uint8Array([2, 10, 1, 2])],
      ['garbage inside a well-framed update', new Uint8Array([2, 4, 255, 255, 255, 255])],
    ])('should refuse %s and leave the text alone', (_, message) => {
      const { document } = documentWith('keep me');
      expect(() => document.receiveSync(message, 'client-1')).toThrow(expect.objectContaining({ code: 'RUNLANE_ERR_ROOMS_BAD_DOCUMENT_UPDATE' }));
      expect(document.content).toBe('keep me');
    });
  });

  describe('when the text grows past the cap', () => {
    it('should cut it back to the cap', () => {
      const { document } = documentWith('');
      const client = new Y.Doc();
      client.getText('code').insert(0, 'é'.repeat(40));
      document.receiveSync(updateMessage(Y.encodeStateAsUpdate(client)), 'client-1');
      expect(document.truncate(50)).toBe(true);
      expect(Buffer.byteLength(document.content)).toBeLessThanOrEqual(50);
      expect(document.truncate(50)).toBe(false);
    });
  });
});

/** The Yjs update inside a relayed sync message. */
function syncPayload(message: Uint8Array): Uint8Array {
  const decoder = decoding.createDecoder(message);
  decoding.readVarUint(decoder);
  return decoding.readVarUint8Array(decoder);
}
