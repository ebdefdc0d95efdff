/**
 * ECPUs a serverless cache bills for the load bench sent, estimated from the commands
 * themselves: a simple command (GET, SET) costs 1 ECPU per KB it transfers, request plus
 * reply, and at least 1 (the rule the emulator's limiter applies, src/local/ecpu-limiter.ts).
 * The bytes are the exact RESP of the run's commands. Pure: no I/O.
 */
import { ecpusFor } from '../local/ecpu-limiter.js';
import type { Keyspace } from './keyspace.js';

/** Bytes on the wire for each kind of command, request plus reply. */
export interface CommandBytes {
  set: number;
  getHit: number;
  getMiss: number;
}

/** `+OK\r\n`, and a RESP2 null bulk `$-1\r\n`. */
const OK_REPLY = 5;
const NULL_REPLY = 5;

export function commandBytes(keyspace: Pick<Keyspace, 'getLength' | 'setLength'>, dataSize: number): CommandBytes {
  const bulkReply = 1 + String(dataSize).length + 2 + dataSize + 2;
  return {
    set: keyspace.setLength + OK_REPLY,
    getHit: keyspace.getLength + bulkReply,
    getMiss: keyspace.getLength + NULL_REPLY,
  };
}

export interface EcpuEstimate {
  /** ECPUs for the measured commands. */
  total: number;
  perSecond: number;
  /** Per command of each kind, for the report's explanation. */
  perSet: number;
  perGetHit: number;
}

/** The counted SETs, GET hits and misses priced by their size. */
export function estimateEcpus(
  counts: { sets: number; hits: number; misses: number },
  bytes: CommandBytes,
  seconds: number,
): EcpuEstimate {
  const perSet = ecpusFor(bytes.set);
  const perGetHit = ecpusFor(bytes.getHit);
  const total = counts.sets * perSet + counts.hits * perGetHit + counts.misses * ecpusFor(bytes.getMiss);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    total: round(total),
    perSecond: Math.round(total / Math.max(seconds, 1e-9)),
    perSet: round(perSet),
    perGetHit: round(perGetHit),
  };
}
