/**
 * CRX3, the package format Chromium installs from an update URL (components/crx_file/crx3.proto and
 * crx_creator.cc in Chromium's source): "Cr24", version 3, the header length (little-endian), a
 * CrxFileHeader protobuf, then the zip. The header holds one RSA proof (public key, signature) and the
 * signed header data, whose crx_id is the first 16 bytes of SHA-256 over the public key (DER SPKI). The
 * signature is SHA-256 with RSA over "CRX3 SignedData\0", the signed header data's length (uint32 LE), the
 * signed header data and the zip. The protobuf is written by hand: three length-delimited fields.
 */
import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';

export const CRX3_MAGIC = 'Cr24';
export const SIGNATURE_CONTEXT = Buffer.from('CRX3 SignedData\x00', 'latin1');
// Field numbers of crx3.proto.
const HEADER_SHA256_WITH_RSA = 2;
const HEADER_SIGNED_HEADER_DATA = 10000;
const PROOF_PUBLIC_KEY = 1;
const PROOF_SIGNATURE = 2;
const SIGNED_DATA_CRX_ID = 1;

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** One length-delimited protobuf field (wire type 2). */
function bytesField(field: number, value: Buffer): Buffer {
  return Buffer.concat([varint(field * 8 + 2), varint(value.length), value]);
}

function uint32le(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

export function publicKeyDer(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** The 16-byte CRX id of a public key. */
export function crxIdBytes(spki: Buffer): Buffer {
  return createHash('sha256').update(spki).digest().subarray(0, 16);
}

/** The extension id Chromium shows: the CRX id in hex, with digits 0-f written a-p. */
export function extensionId(spki: Buffer): string {
  return [...crxIdBytes(spki).toString('hex')].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join('');
}

/** The bytes the signature covers. */
export function signedPayload(signedHeaderData: Buffer, zip: Buffer): Buffer {
  return Buffer.concat([SIGNATURE_CONTEXT, uint32le(signedHeaderData.length), signedHeaderData, zip]);
}

/** Packs a zip (the extension's files) as a CRX3 signed with an RSA private key. */
export function buildCrx3(zip: Buffer, privateKey: KeyObject): Buffer {
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('The CRX signing key must be an RSA private key.');
  const spki = publicKeyDer(privateKey);
  const signedHeaderData = bytesField(SIGNED_DATA_CRX_ID, crxIdBytes(spki));
  const signature = sign('sha256', signedPayload(signedHeaderData, zip), privateKey);
  const proof = Buffer.concat([bytesField(PROOF_PUBLIC_KEY, spki), bytesField(PROOF_SIGNATURE, signature)]);
  const header = Buffer.concat([bytesField(HEADER_SHA256_WITH_RSA, proof), bytesField(HEADER_SIGNED_HEADER_DATA, signedHeaderData)]);
  return Buffer.concat([Buffer.from(CRX3_MAGIC, 'latin1'), uint32le(3), uint32le(header.length), header, zip]);
}
