// A wallet object for starknet.js over the desktop wallet's local API: `request({type, params})`
// and `on`/`off`, the shape `WalletAccount` takes as its `walletProvider`. One WebSocket to
// 127.0.0.1 carries the calls (JSON-RPC 2.0) and the wallet's events.

/** Cartridge's policy shape plus the limits the wallet's session accounts enforce on chain. */
export interface SessionPolicy {
  contracts: Record<string, { name?: string; description?: string; methods: { entrypoint: string; name?: string; description?: string }[] }>;
  messages?: { primaryType: string; domain: Record<string, string>; name?: string }[];
  /** Amounts in the token's whole units ("12.5"). */
  limits?: { token: string; per_call: string; per_window: string; window_secs: number }[];
  duration_secs: number;
  max_calls: number;
}

export interface ConnectOptions {
  /** The app's name, shown to the user when it pairs. */
  name: string;
  /** The session to ask for when pairing (needed unless `token` is given). */
  policy?: SessionPolicy;
  /** A pairing token kept from an earlier pairing: no prompt. */
  token?: string;
  /** Let calls outside the policy be put to the user instead of refused. */
  askOutside?: boolean;
  /** Default `ws://127.0.0.1:47612/`. */
  url?: string;
  /** A WebSocket class where there is no global one. */
  WebSocket?: typeof WebSocket;
}

/** A refusal from the wallet: the Starknet wallet API's code (113 refused, 114 bad payload…). */
export class WalletApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(typeof data === 'string' ? `${message}: ${data}` : message);
    this.name = 'WalletApiError';
  }
}

type Handler = (...args: unknown[]) => void;
type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

export const DEFAULT_URL = 'ws://127.0.0.1:47612/';
const SUBPROTOCOL = 'chipi-wallet-api';
const TOKEN_PREFIX = 'chipi-token.';

/** A connected wallet: pass it to starknet.js's `WalletAccount` as `walletProvider`. */
export class LocalWallet {
  readonly id = 'chipi-session-wallet';
  readonly name = 'Chipi session wallet';
  readonly version = '0.1.0';
  readonly icon = '';
  /** The pairing token: keep it (as a secret) to connect again without a prompt. */
  token: string | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Set<Handler>>();
  private closed: string | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (e) => this.receive(String((e as MessageEvent).data)));
    socket.addEventListener('close', (e) => {
      const { code, reason } = e as CloseEvent;
      this.closed = `the wallet closed the connection (${code}${reason ? `: ${reason}` : ''})`;
      for (const p of this.pending.values()) p.reject(new WalletApiError(163, 'An error occurred (UNKNOWN_ERROR)', this.closed));
      this.pending.clear();
    });
  }

  /** Opens the connection; pairs (the user approves in the wallet) unless a token is given. */
  static async connect(options: ConnectOptions): Promise<LocalWallet> {
    if (!options.token && !options.policy) throw new Error('a policy is needed to pair');
    const Socket = options.WebSocket ?? globalThis.WebSocket;
    if (!Socket) throw new Error('no WebSocket class: pass one as options.WebSocket');
    const protocols = options.token ? [SUBPROTOCOL, TOKEN_PREFIX + options.token] : [SUBPROTOCOL];
    const socket = new Socket(options.url ?? DEFAULT_URL, protocols);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve());
      socket.addEventListener('error', () => reject(new Error('cannot reach the wallet (is its local API switched on?)')));
    });
    const wallet = new LocalWallet(socket);
    wallet.token = options.token;
    if (!options.token) {
      try {
        const paired = (await wallet.call('chipi_pair', {
          name: options.name,
          policy: options.policy,
          ask_outside: options.askOutside ?? false,
        })) as { token: string };
        wallet.token = paired.token;
      } catch (e) {
        wallet.close();
        throw e;
      }
    }
    return wallet;
  }

  /** The wallet API's call shape, as starknet.js makes it. */
  request(call: { type: string; params?: unknown }): Promise<any> {
    return this.call(call.type, normalise(call.type, call.params));
  }

  on(event: string, handler: Handler): void {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(handler);
  }

  off(event: string, handler: Handler): void {
    this.handlers.get(event)?.delete(handler);
  }

  close(): void {
    this.socket.close(1000);
  }

  private call(method: string, params: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new WalletApiError(163, 'An error occurred (UNKNOWN_ERROR)', this.closed));
    if (this.socket.readyState !== 1) return Promise.reject(new WalletApiError(163, 'An error occurred (UNKNOWN_ERROR)', 'the connection to the wallet is not open'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? {} }));
    });
  }

  private receive(text: string): void {
    let message: any;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.id === undefined || message.id === null) {
      // An event (a notification has no id); the wallet answers every call by its id.
      if (typeof message.method === 'string') this.emit(message.method, message.params);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (message.error) waiting.reject(new WalletApiError(message.error.code, message.error.message, message.error.data));
    else waiting.resolve(message.result);
  }

  private emit(event: string, params: any): void {
    const handlers = this.handlers.get(event);
    if (!handlers) return;
    for (const handler of handlers) {
      if (event === 'networkChanged') handler(params?.chainId, params?.accounts);
      else handler(params);
    }
  }
}

/** starknet.js passes calldata as it was given (numbers, bigints, strings): felts as hex here. */
function normalise(type: string, params: any): unknown {
  if (type !== 'wallet_addInvokeTransaction' || !params?.calls) return params;
  for (const c of params.calls) {
    if (c.calldata !== undefined && !Array.isArray(c.calldata)) {
      throw new WalletApiError(114, 'An error occurred (INVALID_REQUEST_PAYLOAD)', 'calldata must be a list of felts: compile it first (CallData.compile)');
    }
  }
  return {
    ...params,
    calls: params.calls.map((c: any) => ({
      contract_address: c.contract_address,
      entry_point: c.entry_point,
      calldata: (c.calldata ?? []).map(felt),
    })),
  };
}

function felt(value: unknown): string {
  const bad = () => new WalletApiError(114, 'An error occurred (INVALID_REQUEST_PAYLOAD)', `calldata item ${String(value)} is not a felt`);
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(value)) n = BigInt(value);
  else throw bad();
  if (n < 0n) throw bad();
  return '0x' + n.toString(16);
}
