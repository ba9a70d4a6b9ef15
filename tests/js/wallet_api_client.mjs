// Drives the wallet API through clients/js and starknet.js's own WalletAccount (unchanged, from
// npm): pair, accounts, one execution, one refusal. Prints one JSON line for the Rust test to check.
// Usage: node --experimental-websocket wallet_api_client.mjs ws://127.0.0.1:PORT/
import { RpcProvider, WalletAccount } from 'starknet';
import { LocalWallet } from '../../clients/js/dist/index.js';

const url = process.argv[2];
const policy = {
  contracts: { '0x4718': { methods: [{ entrypoint: 'transfer' }] } },
  duration_secs: 3600,
  max_calls: 10,
};
const wallet = await LocalWallet.connect({ url, name: 'starknet.js', policy });
const account = await WalletAccount.connect(new RpcProvider({ nodeUrl: 'http://127.0.0.1:9' }), wallet);
const sent = await account.execute({ contractAddress: '0x4718', entrypoint: 'transfer', calldata: [5, 1n, '0'] });
let refused = null;
try {
  await account.execute({ contractAddress: '0x4718', entrypoint: 'approve', calldata: [] });
} catch (e) {
  refused = { code: e.code, data: e.data };
}
const again = await LocalWallet.connect({ url, name: 'starknet.js', token: wallet.token });
const accounts = await again.request({ type: 'wallet_requestAccounts' });
console.log(JSON.stringify({ address: account.address, sent, refused, accounts, tokenLength: wallet.token.length }));
wallet.close();
again.close();
