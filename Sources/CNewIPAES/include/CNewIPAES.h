// AES-128 and AES-CMAC (RFC 4493) on AES-NI: the project's one hand-written cryptographic
// primitive. See CNewIPAES.c for why it exists and what proves it equal to swift-crypto.
#ifndef CNEWIPAES_H
#define CNEWIPAES_H

#include <stddef.h>
#include <stdint.h>

/// An AES-128 key ready for CMAC: the 11 round keys and the subkeys K1, K2 (big-endian
/// bytes, as RFC 4493 writes them). Plain bytes: copy it, keep it in a Swift struct.
typedef struct {
    uint8_t round_keys[176];
    uint8_t k1[16];
    uint8_t k2[16];
} newip_cmac_key;

/// 1 when this CPU has AES-NI (CPUID leaf 1, ECX bit 25); 0 otherwise and on other
/// architectures. The other functions must not be called when it is 0.
int newip_aes_ni_available(void);

/// Expands the 16-byte `key` and computes its CMAC subkeys.
void newip_cmac_key_init(newip_cmac_key *key, const uint8_t *secret);

/// One AES-128 block: `out` = AES(key, `in`) (may be the same 16 bytes).
void newip_aes128_encrypt(const newip_cmac_key *key, const uint8_t *in, uint8_t *out);

/// The full 16-byte AES-CMAC of `length` bytes at `message` (NULL allowed when 0).
void newip_cmac(const newip_cmac_key *key, const uint8_t *message, size_t length, uint8_t *tag);

/// The first 8 bytes of AES-CMAC(K, message) with K = AES-CMAC(`prf`, derivation): a source
/// key derived and used in one call, its schedule never leaving the registers' neighbourhood.
/// Returns the 8 bytes as a big-endian number.
uint64_t newip_cmac_derived(const newip_cmac_key *prf, const uint8_t *derivation, size_t derivation_length,
                            const uint8_t *message, size_t length);

#endif
