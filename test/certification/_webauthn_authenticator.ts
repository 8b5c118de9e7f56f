// A software WebAuthn authenticator for tests: P-256, RSA or Ed25519 keys made with node:crypto, exposed as
// the DER-wrapped COSE public key a client sends, and signing as a browser does — authenticator data
// (RP id hash, flags, counter), client data JSON whose challenge is the base64url of the message,
// and a signature over `authenticator_data ‖ SHA-256(client_data_json)`.
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { OID, encodeCbor, encodeSubjectPublicKeyInfo } from '../../src/certification/index.ts';

export interface WebAuthnAnswer {
  readonly authenticatorData: Uint8Array;
  readonly clientDataJson: string;
  readonly signature: Uint8Array;
}

const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash('sha256').update(data).digest());

export class SoftwareAuthenticator {
  readonly der: Uint8Array;
  readonly #privateKey: KeyObject;
  readonly #algorithm: 'p256' | 'rsa' | 'ed25519';
  readonly #origin: string;
  #counter = 0;

  constructor(algorithm: 'p256' | 'rsa' | 'ed25519', origin = 'https://identity.internetcomputer.org') {
    this.#algorithm = algorithm;
    this.#origin = origin;
    const pair =
      algorithm === 'p256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : algorithm === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ed25519');
    this.#privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const bytes = (value: string | undefined) => new Uint8Array(Buffer.from(value!, 'base64url'));
    const cose =
      algorithm === 'p256'
        ? new Map<bigint, bigint | Uint8Array>([[1n, 2n], [3n, -7n], [-1n, 1n], [-2n, bytes(jwk.x)], [-3n, bytes(jwk.y)]])
        : algorithm === 'rsa'
          ? new Map<bigint, bigint | Uint8Array>([[1n, 3n], [3n, -257n], [-1n, bytes(jwk.n)], [-2n, bytes(jwk.e)]])
          : new Map<bigint, bigint | Uint8Array>([[1n, 1n], [3n, -8n], [-1n, 6n], [-2n, bytes(jwk.x)]]);
    this.der = encodeSubjectPublicKeyInfo(OID.webAuthnCose, undefined, encodeCbor(cose));
  }

  /** The authenticator's answer for `challenge`, as a browser's navigator.credentials.get gives it; `clientData` replaces the client data's fields. */
  answer(challenge: Uint8Array, clientData?: Record<string, unknown>): WebAuthnAnswer {
    const flags = 0x05; // user present, user verified
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(++this.#counter);
    const authenticatorData = new Uint8Array([...sha256(new URL(this.#origin).hostname), flags, ...counter]);
    const clientDataJson = JSON.stringify(
      clientData ?? { type: 'webauthn.get', challenge: Buffer.from(challenge).toString('base64url'), origin: this.#origin, crossOrigin: false },
    );
    const signed = new Uint8Array([...authenticatorData, ...sha256(clientDataJson)]);
    const signature =
      this.#algorithm === 'p256'
        ? sign('sha256', signed, { key: this.#privateKey, dsaEncoding: 'der' })
        : sign(this.#algorithm === 'rsa' ? 'sha256' : null, signed, this.#privateKey);
    return { authenticatorData, clientDataJson, signature: new Uint8Array(signature) };
  }

  /** The IC signature of `message`: the answer as a self-describing CBOR map. */
  sign(message: Uint8Array): Uint8Array {
    return encodeAnswer(this.answer(message));
  }
}

export function encodeAnswer(answer: WebAuthnAnswer): Uint8Array {
  return encodeCbor(
    { authenticator_data: answer.authenticatorData, client_data_json: answer.clientDataJson, signature: answer.signature },
    { selfDescribe: true },
  );
}
