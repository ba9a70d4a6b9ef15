// The token list (add by address, hide, show) and the address book (name, address, note).
import { useEffect, useState } from 'preact/hooks';
import { signal } from '@preact/signals';
import { checksumAddress } from './address';
import type { AddressBook, ContactInfo, TokenInfo } from './bindings';
import { shortAddress } from './format';
import { ipc } from './ipc';
import { checkContact, checkTokenAddress } from './lists-check';
import { Button, Card, Field } from './parts';
import { TokenMark } from './home';
import { act, banner, fail, network, tab } from './state';

/** The address book as last read; the Send screen offers it too. */
export const book = signal<AddressBook>({ contacts: [], recent: [] });

/** An address the Send screen's success step offers to save; the form opens with it. */
export const pendingContact = signal<string | null>(null);

export async function loadBook() {
  try {
    book.value = await ipc.getAddressBook();
  } catch (e) {
    fail(e);
  }
}

/** Every token of the network, hidden ones included, and the form that adds one. */
export function Tokens() {
  const tokens = network.value?.tokens ?? [];
  const [address, setAddress] = useState('');
  const [preview, setPreview] = useState<TokenInfo | null>(null);
  const check = checkTokenAddress(address, tokens);
  const lookUp = () => {
    banner.value = null;
    setPreview(null);
    void act('Reading the token from the chain…', async () => setPreview(await ipc.tokenPreview(address.trim())));
  };
  const add = () =>
    void act(`Adding ${preview!.symbol}…`, () => ipc.addToken(preview!.address)).then((ok) => {
      if (ok) {
        setPreview(null);
        setAddress('');
      }
    });
  return (
    <>
      <Card title="Tokens" testid="tokens-screen" focus>
        <p class="note">A hidden token shows no balance and is not offered to send; it is still yours.</p>
        <ul class="balances" data-testid="token-list">
          {tokens.map((t) => (
            <li key={t.address} data-testid={`token-${t.symbol}`} class={t.hidden ? 'hidden-token' : undefined}>
              <span class="token">
                <TokenMark symbol={t.symbol} address={t.address} />
                <span>
                  <span class="symbol">{t.symbol}</span>
                  <span class="note" title={checksumAddress(t.address)}>
                    {' '}
                    {t.name ?? ''} {shortAddress(t.address)}
                  </span>
                </span>
              </span>
              <Button
                testid={`token-toggle-${t.symbol}`}
                kind="ghost"
                label={t.hidden ? `Show ${t.symbol}` : `Hide ${t.symbol}`}
                onClick={() => void act(t.hidden ? `Showing ${t.symbol}…` : `Hiding ${t.symbol}…`, () => ipc.setTokenHidden(t.address, !t.hidden))}
              >
                {t.hidden ? 'Show' : 'Hide'}
              </Button>
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Add a token" testid="token-add">
        <Field
          label="Token contract address"
          testid="token-address"
          value={address}
          onInput={(v) => {
            setAddress(v);
            setPreview(null);
          }}
          placeholder="0x…"
          invalid={!!address && !check.ok}
        />
        <div data-testid="token-validation" class="hint" aria-live="polite">
          {address && !check.ok ? check.reason : ''}
        </div>
        {preview ? (
          <div data-testid="token-preview" class="stack">
            <div class="token">
              <TokenMark symbol={preview.symbol} address={preview.address} />
              <strong data-testid="token-preview-symbol">{preview.symbol}</strong>
              <span class="note" data-testid="token-preview-name">
                {preview.name ?? 'no name given'} · {preview.decimals} decimals
              </span>
            </div>
            <p class="note">Read from the token's contract on {network.value?.name}. Anyone can deploy a token with any name: add only one you expect.</p>
            <Button testid="token-add-confirm" onClick={add}>
              Add {preview.symbol}
            </Button>
          </div>
        ) : (
          <Button testid="token-lookup" kind="secondary" disabled={!check.ok} onClick={lookUp}>
            Look up
          </Button>
        )}
      </Card>
      <div class="row">
        <Button testid="tokens-back" kind="ghost" icon="back" onClick={() => (tab.value = 'home')}>
          Home
        </Button>
      </div>
    </>
  );
}

/** The address book: every contact with its address and note, and the form to add or edit one. */
export function Contacts() {
  useEffect(() => void loadBook(), []);
  const contacts = book.value.contacts;
  const [name, setName] = useState('');
  const [address, setAddress] = useState(pendingContact.value ?? '');
  const [note, setNote] = useState('');
  useEffect(() => {
    pendingContact.value = null;
  }, []);
  const input = { name, address, note };
  const check = checkContact(input, contacts);
  const touched = !!(name || address || note);
  const edit = (c: ContactInfo) => {
    setName(c.name);
    setAddress(c.address);
    setNote(c.note);
  };
  const save = () =>
    void act(`Saving ${name.trim()}…`, async () => (book.value = await ipc.saveContact({ name: name.trim(), address: address.trim(), note: note.trim() }))).then((ok) => {
      if (ok) {
        setName('');
        setAddress('');
        setNote('');
      }
    });
  return (
    <>
      <Card title="Contacts" testid="contacts-screen" focus>
        {contacts.length === 0 ? <p class="note">No contacts yet. Saved addresses are offered on the Send screen.</p> : null}
        <ul class="activity contacts" data-testid="contact-list">
          {contacts.map((c) => (
            <li key={c.address} data-testid="contact-item" data-address={c.address}>
              <span class="stack tight">
                <strong data-testid="contact-name">{c.name}</strong>
                <code class="note" title={c.address}>
                  {shortAddress(c.address)}
                </code>
                {c.note ? <span class="note">{c.note}</span> : null}
              </span>
              <span class="row">
                <Button testid="contact-edit" kind="ghost" label={`Edit ${c.name}`} onClick={() => edit(c)}>
                  Edit
                </Button>
                <Button
                  testid="contact-remove"
                  kind="ghost"
                  label={`Remove ${c.name}`}
                  onClick={() => void act(`Removing ${c.name}…`, async () => (book.value = await ipc.removeContact(c.address)))}
                >
                  Remove
                </Button>
              </span>
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Save a contact" testid="contact-form">
        <Field label="Name" testid="contact-name-input" value={name} onInput={setName} invalid={!!name && !name.trim()} />
        <Field label="Address" testid="contact-address" value={address} onInput={setAddress} placeholder="0x…" />
        <Field label="Note (optional)" testid="contact-note" value={note} onInput={setNote} />
        <div data-testid="contact-validation" class="hint" aria-live="polite">
          {touched && !check.ok ? check.reason : ''}
        </div>
        <Button testid="contact-save" disabled={!check.ok} onClick={save}>
          Save
        </Button>
      </Card>
      <div class="row">
        <Button testid="contacts-back" kind="ghost" icon="back" onClick={() => (tab.value = 'send')}>
          Send
        </Button>
      </div>
    </>
  );
}
