// Registries for X.509 as plain data: OID → name tables. Unknown OIDs are kept and shown
// dotted; nothing here rejects a value.

export type HashName = 'md2' | 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type KeyType = 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'DSA' | 'X25519' | 'X448' | 'unknown';

export interface SignatureAlgorithmEntry {
  /** The name OpenSSL prints ("sha256WithRSAEncryption", "ecdsa-with-SHA256", "ED25519"). */
  name: string;
  /** Key type that makes such signatures. */
  key: KeyType;
  /** Digest, or null for EdDSA / when given by parameters (RSASSA-PSS). */
  hash: HashName | null;
}

export const SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithmEntry> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', key: 'RSA', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', key: 'RSA', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', key: 'RSA', hash: 'sha1' },
  '1.3.14.3.2.29': { name: 'sha1WithRSA', key: 'RSA', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', key: 'RSA', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', key: 'RSA', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', key: 'RSA', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', key: 'RSA', hash: 'sha512' },
  '1.2.840.113549.1.1.10': { name: 'rsassaPss', key: 'RSA-PSS', hash: null },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', key: 'EC', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', key: 'EC', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', key: 'EC', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', key: 'EC', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', key: 'EC', hash: 'sha512' },
  '1.3.101.112': { name: 'ED25519', key: 'Ed25519', hash: null },
  '1.3.101.113': { name: 'ED448', key: 'Ed448', hash: null },
  '1.2.840.10040.4.3': { name: 'dsa_with_SHA1', key: 'DSA', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.1': { name: 'dsa_with_SHA224', key: 'DSA', hash: 'sha224' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa_with_SHA256', key: 'DSA', hash: 'sha256' },
};

/** Digest algorithm OIDs (RSASSA-PSS parameters, OCSP CertID). */
export const HASH_ALGORITHMS: Record<string, HashName> = {
  '1.2.840.113549.2.2': 'md2',
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export const PUBLIC_KEY_ALGORITHMS: Record<string, KeyType> = {
  '1.2.840.113549.1.1.1': 'RSA',
  '1.2.840.113549.1.1.10': 'RSA-PSS',
  '1.2.840.10045.2.1': 'EC',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.2.840.10040.4.1': 'DSA',
};

/** Fixed key sizes in bits for key types without parameters. */
export const FIXED_KEY_BITS: Partial<Record<KeyType, number>> = { Ed25519: 256, Ed448: 456, X25519: 256, X448: 448 };

export interface CurveEntry {
  /** NIST / common name ("P-256"); OpenSSL's name ("prime256v1"). */
  name: string;
  openssl: string;
  bits: number;
}

export const NAMED_CURVES: Record<string, CurveEntry> = {
  '1.2.840.10045.3.1.1': { name: 'P-192', openssl: 'prime192v1', bits: 192 },
  '1.3.132.0.33': { name: 'P-224', openssl: 'secp224r1', bits: 224 },
  '1.2.840.10045.3.1.7': { name: 'P-256', openssl: 'prime256v1', bits: 256 },
  '1.3.132.0.34': { name: 'P-384', openssl: 'secp384r1', bits: 384 },
  '1.3.132.0.35': { name: 'P-521', openssl: 'secp521r1', bits: 521 },
  '1.3.132.0.10': { name: 'secp256k1', openssl: 'secp256k1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', openssl: 'brainpoolP256r1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', openssl: 'brainpoolP384r1', bits: 384 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', openssl: 'brainpoolP512r1', bits: 512 },
  '1.2.156.10197.1.301': { name: 'SM2', openssl: 'SM2', bits: 256 },
};

/** Extended key usage purposes, with OpenSSL's short names. */
export const EXTENDED_KEY_USAGES: Record<string, string> = {
  '2.5.29.37.0': 'anyExtendedKeyUsage',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.5': 'ipsecEndSystem',
  '1.3.6.1.5.5.7.3.6': 'ipsecTunnel',
  '1.3.6.1.5.5.7.3.7': 'ipsecUser',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '1.3.6.1.5.5.7.3.17': 'ipsecIKE',
  '1.3.6.1.4.1.311.10.3.3': 'msSGC',
  '2.16.840.1.113730.4.1': 'nsSGC',
  '1.3.6.1.4.1.311.20.2.2': 'msSmartcardLogin',
  '1.3.6.1.4.1.311.10.3.4': 'msEFS',
  '1.3.6.1.4.1.311.10.3.12': 'msDocumentSigning',
};

export const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const EKU_ANY = '2.5.29.37.0';
export const EKU_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** KeyUsage bits in order (bit 0 = the most significant bit of the first byte). */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export const EXT = {
  SUBJECT_KEY_ID: '2.5.29.14',
  KEY_USAGE: '2.5.29.15',
  SUBJECT_ALT_NAME: '2.5.29.17',
  BASIC_CONSTRAINTS: '2.5.29.19',
  CRL_DISTRIBUTION_POINTS: '2.5.29.31',
  AUTHORITY_KEY_ID: '2.5.29.35',
  EXT_KEY_USAGE: '2.5.29.37',
  AUTHORITY_INFO_ACCESS: '1.3.6.1.5.5.7.1.1',
} as const;

export const EXTENSION_NAMES: Record<string, string> = {
  '2.5.29.9': 'subjectDirectoryAttributes',
  '2.5.29.14': 'subjectKeyIdentifier',
  '2.5.29.15': 'keyUsage',
  '2.5.29.16': 'privateKeyUsagePeriod',
  '2.5.29.17': 'subjectAltName',
  '2.5.29.18': 'issuerAltName',
  '2.5.29.19': 'basicConstraints',
  '2.5.29.30': 'nameConstraints',
  '2.5.29.31': 'crlDistributionPoints',
  '2.5.29.32': 'certificatePolicies',
  '2.5.29.33': 'policyMappings',
  '2.5.29.35': 'authorityKeyIdentifier',
  '2.5.29.36': 'policyConstraints',
  '2.5.29.37': 'extendedKeyUsage',
  '2.5.29.46': 'freshestCRL',
  '2.5.29.54': 'inhibitAnyPolicy',
  '1.3.6.1.5.5.7.1.1': 'authorityInfoAccess',
  '1.3.6.1.5.5.7.1.3': 'qcStatements',
  '1.3.6.1.5.5.7.1.11': 'subjectInfoAccess',
  '1.3.6.1.5.5.7.1.24': 'tlsFeature',
  '1.3.6.1.4.1.11129.2.4.2': 'ctPrecertificateSCTs',
  '1.3.6.1.4.1.11129.2.4.3': 'ctPrecertificatePoison',
  '1.3.6.1.5.5.7.48.1.5': 'ocspNoCheck',
  '2.16.840.1.113730.1.1': 'nsCertType',
  '2.16.840.1.113730.1.13': 'nsComment',
  '1.3.6.1.4.1.311.20.2': 'msCertificateTemplateName',
  '1.3.6.1.4.1.311.21.1': 'msCAVersion',
  '1.3.6.1.4.1.311.21.7': 'msCertificateTemplate',
};

/**
 * Critical extensions that common TLS clients (OpenSSL, BoringSSL, NSS, Go) process. A
 * certificate carrying any other critical extension is rejected by them (RFC 5280 4.2).
 */
export const CRITICAL_EXTENSIONS_UNDERSTOOD: ReadonlySet<string> = new Set([
  '2.5.29.15', '2.5.29.17', '2.5.29.19', '2.5.29.30', '2.5.29.32', '2.5.29.33', '2.5.29.36',
  '2.5.29.37', '2.5.29.54', '2.5.29.14', '2.5.29.35', '1.3.6.1.5.5.7.1.24', '2.5.29.31',
]);

export const ACCESS_METHOD_OCSP = '1.3.6.1.5.5.7.48.1';
export const ACCESS_METHOD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';

/**
 * DN attribute types with the short names OpenSSL prints under -nameopt RFC2253
 * (its "sname" form); a type missing here prints as its dotted OID with a #hex value.
 */
export const DN_ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.15': 'businessCategory',
  '2.5.4.16': 'postalAddress',
  '2.5.4.17': 'postalCode',
  '2.5.4.18': 'postOfficeBox',
  '2.5.4.20': 'telephoneNumber',
  '2.5.4.41': 'name',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.45': 'x500UniqueIdentifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.72': 'role',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.2.840.113549.1.9.2': 'unstructuredName',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

export const OID_COMMON_NAME = '2.5.4.3';
export const OID_ORGANIZATION = '2.5.4.10';
export const OID_ORGANIZATIONAL_UNIT = '2.5.4.11';

/** OCSP (RFC 6960). */
export const OCSP_BASIC_RESPONSE = '1.3.6.1.5.5.7.48.1.1';
export const OCSP_RESPONSE_STATUS: Record<number, string> = {
  0: 'successful',
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};
export const CRL_REASONS: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

/** A registry lookup that keeps unknown values: the name, or the OID itself. */
export const oidName = (table: Record<string, string>, oid: string): string => table[oid] ?? oid;
