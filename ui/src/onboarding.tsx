// First start: pick the network, then create a wallet (a PIN typed twice), import an account,
// or restore one from a backup file.
import { useState } from 'preact/hooks';
import { checkNewPin } from './pin';
import { ipc } from './ipc';
import { Button, Card, Field, Select } from './parts';
import { act, network, openSettings, reload } from './state';

/** A new PIN typed twice: its labelled fields with the reason it is refused, whether it is
 * valid, and a way to empty both. */
function useNewPin(testid: string, label: string, validation?: string) {
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const problem = pin || again ? checkNewPin(pin, again) : null;
  const fields = (
    <>
      <Field label={label} testid={testid} type="password" value={pin} onInput={setPin} invalid={!!problem} />
      <Field label="The same PIN again" testid={`${testid}-again`} type="password" value={again} onInput={setAgain} invalid={!!problem} />
      <div data-testid={validation} class="hint" aria-live="polite">
        {problem ?? ''}
      </div>
    </>
  );
  const clear = () => {
    setPin('');
    setAgain('');
  };
  return { pin, ok: checkNewPin(pin, again) === null, fields, clear };
}

/** A first start of an installed app: the network comes first (the node is checked before it
 * is kept). A local sandbox is never offered here: it exists only on a developer's machine. */
function NetworkChoice() {
  const [custom, setCustom] = useState(false);
  const [name, setName] = useState('');
  const [rpc, setRpc] = useState('');
  const [chain, setChain] = useState('');
  const choose = (profile: string) => void act(`Checking the ${profile} node…`, () => ipc.setNetwork(profile));
  return (
    <div data-testid="network-choice" class="stack">
      <h1>Session wallet</h1>
      <p class="lead">Which network will this wallet use? Each network keeps its own wallet; you can add another later.</p>
      <Card title="Choose a network">
        <div class="row">
          <Button testid="choose-mainnet" onClick={() => choose('mainnet')}>
            Starknet mainnet
          </Button>
          <Button testid="choose-sepolia" kind="secondary" onClick={() => choose('sepolia')}>
            Sepolia testnet
          </Button>
          <Button testid="choose-custom" kind="secondary" onClick={() => setCustom(true)}>
            My own node…
          </Button>
        </div>
        {custom ? (
          <div class="stack" data-testid="choice-custom">
            <Field label="Name" testid="choice-custom-name" value={name} onInput={setName} />
            <Field label="Node URL" testid="choice-custom-rpc" value={rpc} onInput={setRpc} placeholder="https://…" />
            <Field label="Chain id (SN_MAIN, SN_SEPOLIA or 0x…)" testid="choice-custom-chain" value={chain} onInput={setChain} />
            <Button
              testid="choice-custom-save"
              disabled={!name.trim() || !rpc.trim() || !chain.trim()}
              onClick={() =>
                void act('Checking the node…', () =>
                  ipc.switchNetwork({ profile: 'custom', name: name.trim(), rpcUrl: rpc.trim(), chainId: chain.trim(), sponsorUrl: null, chipiApiUrl: null }),
                )
              }
            >
              Use this node
            </Button>
          </div>
        ) : null}
        <p class="note">The node must answer and report the network's chain id before anything is kept.</p>
      </Card>
    </div>
  );
}

export function Onboarding() {
  const net = network.value;
  return net?.choicePending ? <NetworkChoice /> : <CreateOrImport />;
}

function CreateOrImport() {
  const newPin = useNewPin('onboard-pin', 'New PIN (6 or more characters)', 'onboard-validation');
  const [ownClass, setOwnClass] = useState(false);
  const net = network.value;
  const ours = net?.newWalletClass.includes('this project') ?? true;
  // The local sandbox is offered only where the app was started on it.
  const profiles: [string, string][] = [
    ...(net?.name === 'local' ? [['local', 'Local sandbox'] as [string, string]] : []),
    ['sepolia', 'Sepolia testnet'],
    ['mainnet', 'Mainnet'],
  ];
  if (net && !profiles.some(([n]) => n === net.name)) profiles.push([net.name, net.name]);
  return (
    <div data-testid="onboarding" class="stack">
      <h1>Chipi Session Wallet</h1>
      <p class="lead">
        Approve a session once, then send without confirming each transfer and without paying gas, within the limits you
        set. A PIN keeps your keys safe on this computer.
      </p>
      <div class="row">
        <Select
          label="Network"
          testid="network-select"
          value={net?.name ?? 'mainnet'}
          options={profiles}
          onChange={(name) => void act('Switching network…', () => ipc.setNetwork(name))}
        />
        <Button testid="open-settings" kind="secondary" onClick={openSettings}>
          Settings
        </Button>
      </div>
      <Card title="Create a wallet">
        {newPin.fields}
        <p class="warning" data-testid="pin-warning">
          Nobody can recover this PIN. If you forget it, the wallet on this device is lost with its funds, unless you
          made a backup (Settings, after creating it).
        </p>
        {ours ? null : (
          <label class="check">
            <input data-testid="own-class" type="checkbox" checked={ownClass} onChange={(e) => setOwnClass((e.target as HTMLInputElement).checked)} />
            Use an account that enforces every limit you approve, instead of {net?.newWalletClass} (where this network has it)
          </label>
        )}
        <p data-testid="new-wallet-class" class="note">
          {ours ? 'Your new account enforces on chain every limit you approve for a session.' : `New wallets get a ${net?.newWalletClass ?? '–'} account.`}
        </p>
        <Button
          testid="create-wallet"
          disabled={!newPin.ok}
          onClick={() =>
            void act('Creating your wallet and deploying it…', () => ipc.createWallet(newPin.pin, ownClass)).then((ok) => {
              newPin.clear();
              // A wallet whose deployment failed is kept: the home screen offers the deployment again.
              if (!ok) void reload().catch(() => undefined);
            })
          }
        >
          Create wallet
        </Button>
      </Card>
      <Import />
      <Restore />
    </div>
  );
}

function Import() {
  const [address, setAddress] = useState('');
  const [key, setKey] = useState('');
  const newPin = useNewPin('import-pin', 'New PIN');
  return (
    <details class="card">
      <summary>Import an existing account</summary>
      <Field label="Account address" testid="import-address" value={address} onInput={setAddress} placeholder="0x…" />
      <Field label="Owner key (0x… or the SDK-encrypted key)" testid="import-key" type="password" value={key} onInput={setKey} />
      {newPin.fields}
      <Button
        testid="import-wallet"
        disabled={!newPin.ok || !address || !key}
        onClick={() =>
          // Secrets are cleared whatever the outcome.
          void act('Importing…', () => ipc.importWallet(address, key, newPin.pin)).then(() => {
            setKey('');
            newPin.clear();
          })
        }
      >
        Import
      </Button>
    </details>
  );
}

function Restore() {
  const [text, setText] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const newPin = useNewPin('restore-pin', 'New PIN for this device');
  const readFile = (file: File | undefined) => {
    if (file) void file.text().then(setText);
  };
  return (
    <details class="card" data-testid="restore">
      <summary data-testid="restore-open">Restore from a backup file</summary>
      <label class="field">
        <span>Backup file</span>
        <input data-testid="restore-file" type="file" accept=".json,application/json" onChange={(e) => readFile((e.target as HTMLInputElement).files?.[0])} />
      </label>
      <label class="field">
        <span>Or paste its text</span>
        <textarea data-testid="restore-text" rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      </label>
      <Field label="Backup passphrase" testid="restore-passphrase" type="password" value={passphrase} onInput={setPassphrase} />
      {newPin.fields}
      <Button
        testid="restore-submit"
        disabled={!newPin.ok || !text.trim() || !passphrase}
        onClick={() =>
          void act('Restoring the wallet…', () => ipc.importBackup(text, passphrase, newPin.pin)).then((ok) => {
            setPassphrase('');
            newPin.clear();
            if (ok) setText('');
          })
        }
      >
        Restore
      </Button>
    </details>
  );
}
