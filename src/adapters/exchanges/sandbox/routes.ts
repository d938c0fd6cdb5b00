import type { Clock } from '../../../application/ports/clock.js';
import type { PriceFeed } from '../../../application/ports/price-feed.js';
import type { PaperExchange } from '../paper/paper-exchange.js';
import type { HiddenOrders } from './hidden-orders.js';
import type { ListenKeys } from './listen-keys.js';
import type { MarketTape } from './market-tape.js';
import type { OrderIndex } from './order-index.js';
import type { PlacementTicket } from './placement-log.js';
import type { RequestParams } from './request-params.js';
import type { SandboxFaults } from './sandbox-faults.js';
import type { SymbolTable } from './symbols.js';
import type { UserDataHub } from './user-data-hub.js';

/** Binance endpoint security types the sandbox implements. */
export type Security = 'NONE' | 'USER_STREAM' | 'SIGNED';

export interface ApiCall {
  readonly method: string;
  readonly path: string;
  readonly params: RequestParams;
  /** The caller's API key and paper account ('' on NONE endpoints). */
  readonly apiKey: string;
  readonly accountId: string;
  /** Sandbox clock at arrival (ms). */
  readonly now: number;
  /** On order placements: where the route reports the order it created. */
  readonly placement?: PlacementTicket;
  /** On order-list placements (issue 17): the same for each leg, by where it is placed (above / below the market). */
  readonly legPlacements?: { readonly above: PlacementTicket; readonly below: PlacementTicket };
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly security: Security;
  /** Request weight counted in X-MBX-USED-WEIGHT-1M. */
  readonly weight: (params: RequestParams) => number;
  readonly handle: (call: ApiCall) => Promise<unknown> | unknown;
}

/** What the endpoint handlers work with. */
export interface SpotApiDeps {
  readonly exchange: PaperExchange;
  readonly feed: PriceFeed;
  /** public market activity (trades, book, candles) driven by the feed */
  readonly tape: MarketTape;
  readonly clock: Clock;
  readonly symbols: SymbolTable;
  readonly index: OrderIndex;
  readonly hidden: HiddenOrders;
  readonly faults: SandboxFaults;
  readonly hub: UserDataHub;
  readonly listenKeys: ListenKeys;
  readonly commission: { readonly makerBps: number; readonly takerBps: number };
  /** the permissions of an API key (for /sapi/v1/account/apiRestrictions) */
  readonly withdrawalsEnabled: (apiKey: string) => boolean;
}

export const weight = (value: number) => () => value;
