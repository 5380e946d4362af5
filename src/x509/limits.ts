// Named limits for everything taken from the wire or from files: checked before
// allocating or looping, so a hostile certificate or bundle costs bounded work.

/** Largest certificate accepted (TLS allows 2^24-1; real ones with many SANs stay < 64 KiB). */
export const MAX_CERT_BYTES = 256 * 1024;
/** Certificates of one chain judged; further ones are reported as ignored. */
export const MAX_CHAIN_CERTS = 32;
/** Longest path leaf → anchor that the builder follows. */
export const MAX_PATH_LENGTH = 12;
/** Length-field octets in a DER header (4 → lengths up to 4 GiB, far beyond MAX_CERT_BYTES). */
export const MAX_DER_LENGTH_OCTETS = 4;
/** Octets of a high-tag-number identifier. */
export const MAX_DER_TAG_OCTETS = 4;
/** Arcs in one OBJECT IDENTIFIER. */
export const MAX_OID_ARCS = 64;
/** RDNs in a Name, and attributes in one RDN. */
export const MAX_NAME_RDNS = 128;
export const MAX_RDN_ATTRIBUTES = 16;
/** Extensions in one certificate. */
export const MAX_EXTENSIONS = 64;
/** Entries in one GeneralNames list (SAN, AIA...); large multi-domain certificates carry a few hundred. */
export const MAX_GENERAL_NAMES = 5000;
/** Key purposes in an EKU extension. */
export const MAX_KEY_PURPOSES = 64;
/** Largest OCSP response accepted. */
export const MAX_OCSP_BYTES = 256 * 1024;
/** Single responses in one OCSP response that are decoded. */
export const MAX_OCSP_RESPONSES = 256;
/** Trust bundle file size, and anchors kept from it. */
export const MAX_TRUST_FILE_BYTES = 32 * 1024 * 1024;
export const MAX_TRUST_ANCHORS = 20_000;
/** Cache sizes (entries): parsed certificates by fingerprint, signature checks by pair. */
export const PARSED_CERT_CACHE_SIZE = 4096;
export const SIGNATURE_CACHE_SIZE = 16_384;
