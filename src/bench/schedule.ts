/**
 * Where an open-loop request's latency starts. The schedule is sent from a 1 ms timer, and
 * Node fires timers late by up to a quantum (1-2 ms, more under load): timing every request
 * from its intended time counted that quantum as server latency (p50 1.2 ms against an idle
 * server where memtier shows 0.055 ms).
 *
 * A request sent within TIMER_SLACK_MS of its intended time is timed from when it was
 * really sent: the lateness is the timer's, and the server could not have answered earlier.
 * One sent later than that (the event loop was blocked, the connection's window was full
 * behind a stalled server) is timed from its intended time, so coordinated omission cannot
 * hide a stall. A server stall never delays sending (writes queue in the socket), so it
 * shows in full either way; the bias this leaves is at most TIMER_SLACK_MS, client-side.
 */
export const TIMER_SLACK_MS = 2;

export function latencyStart(intended: number, sentAt: number): number {
  return sentAt - intended <= TIMER_SLACK_MS ? Math.max(intended, sentAt) : intended;
}
