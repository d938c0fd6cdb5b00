/**
 * Why a replay's input was refused: a stable code, the line of the file (1-based; for a JSON array,
 * the element's index + 1 when no line is known) and what to fix. Nothing is stored when refused.
 */
export interface ReplayInputError {
  readonly code: ReplayInputCode;
  readonly line?: number;
  readonly message: string;
}

export type ReplayInputCode =
  | 'REPLAY_EMPTY'
  | 'REPLAY_TOO_LARGE'
  | 'REPLAY_BAD_JSON'
  | 'REPLAY_BAD_CSV'
  | 'REPLAY_UNKNOWN_FORMAT'
  | 'REPLAY_BAD_ROW'
  | 'REPLAY_BAD_TIME'
  | 'REPLAY_BAD_TRADE'
  | 'REPLAY_BAD_CANDLE'
  | 'REPLAY_BAD_EXCHANGE'
  | 'REPLAY_PRICES_UNAVAILABLE';
