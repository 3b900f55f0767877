// AES-128 and AES-CMAC (RFC 4493) on AES-NI: the project's one hand-written cryptographic
// primitive, for the first hop's per-packet source verification only.
//
// Why: swift-crypto exposes AES only per call. `AES.permute` expands the key for every 16-byte
// block and pays Swift runtime overhead on each call (~200 ns per block here); `AES.CMAC` and
// `AES._CBC` allocate a BoringSSL context and a `Data` per MAC (~1.4 µs). BoringSSL's AES is
// not a product of the package. A verification (derive K_src, MAC a ~100-byte packet) has a
// budget of 200 ns: that is ~20 AES blocks and one key schedule with AES-NI.
//
// Proof of equality (Tests/NewIPSecurityTests/AESNITests.swift): FIPS-197 appendix C.1,
// RFC 4493 section 4, and equality with swift-crypto's `AES.CMAC` for seeded random keys and
// every length 0…300. When the CPU lacks AES-NI, NewIPSecurity uses swift-crypto instead.
//
// No flags: the AES functions carry __attribute__((target)), so the file builds anywhere
// (also under -sanitize=fuzzer,address) and only runs the instructions when CPUID says so.
#include "CNewIPAES.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <wmmintrin.h>
#include <emmintrin.h>
#include <tmmintrin.h>

#define AESNI __attribute__((target("aes,sse2,ssse3"), always_inline)) static inline
#define AESNI_EXTERN __attribute__((target("aes,sse2,ssse3")))

int newip_aes_ni_available(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    return (c & bit_AES) != 0 && (c & bit_SSSE3) != 0;
}

AESNI __m128i expand_step(__m128i key, __m128i assist) {
    assist = _mm_shuffle_epi32(assist, 0xff);
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    return _mm_xor_si128(key, assist);
}

AESNI void expand(__m128i rk[11], __m128i key) {
    rk[0] = key;
#define STEP(i, rcon) rk[i] = expand_step(rk[i - 1], _mm_aeskeygenassist_si128(rk[i - 1], rcon))
    STEP(1, 0x01); STEP(2, 0x02); STEP(3, 0x04); STEP(4, 0x08); STEP(5, 0x10);
    STEP(6, 0x20); STEP(7, 0x40); STEP(8, 0x80); STEP(9, 0x1b); STEP(10, 0x36);
#undef STEP
}

AESNI __m128i encrypt(const __m128i rk[11], __m128i block) {
    block = _mm_xor_si128(block, rk[0]);
    for (int i = 1; i < 10; i++) block = _mm_aesenc_si128(block, rk[i]);
    return _mm_aesenclast_si128(block, rk[10]);
}

// Doubling in GF(2^128) on a block held as AES holds it (byte 0 most significant).
AESNI __m128i dbl(__m128i v) {
    const __m128i reverse = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i x = _mm_shuffle_epi8(v, reverse);                // little-endian 128-bit number
    __m128i carries = _mm_srli_epi64(x, 63);                 // top bit of each 64-bit half
    __m128i shifted = _mm_or_si128(_mm_slli_epi64(x, 1), _mm_slli_si128(carries, 8));
    // The bit leaving the top half: reduce with 0x87.
    __m128i msb = _mm_srai_epi32(_mm_shuffle_epi32(x, 0xff), 31);
    shifted = _mm_xor_si128(shifted, _mm_and_si128(msb, _mm_set_epi32(0, 0, 0, 0x87)));
    return _mm_shuffle_epi8(shifted, reverse);
}

typedef struct { __m128i rk[11]; __m128i k1, k2; } key_regs;

AESNI void key_init(key_regs *k, __m128i key) {
    expand(k->rk, key);
    k->k1 = dbl(encrypt(k->rk, _mm_setzero_si128()));
    k->k2 = dbl(k->k1);
}

AESNI __m128i cmac(const key_regs *k, const uint8_t *m, size_t n) {
    __m128i state = _mm_setzero_si128();
    size_t full = n == 0 ? 0 : (n - 1) / 16;                 // blocks before the last one
    for (size_t i = 0; i < full; i++)
        state = encrypt(k->rk, _mm_xor_si128(state, _mm_loadu_si128((const __m128i *)(m + 16 * i))));
    size_t rest = n - 16 * full;                             // 0…16 bytes in the last block
    __m128i last;
    if (rest == 16) {
        last = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(m + 16 * full)), k->k1);
    } else {
        uint8_t pad[16] = {0};
        if (rest) memcpy(pad, m + 16 * full, rest);
        pad[rest] = 0x80;
        last = _mm_xor_si128(_mm_loadu_si128((const __m128i *)pad), k->k2);
    }
    return encrypt(k->rk, _mm_xor_si128(state, last));
}

AESNI void load_key(key_regs *k, const newip_cmac_key *key) {
    for (int i = 0; i < 11; i++) k->rk[i] = _mm_loadu_si128((const __m128i *)(key->round_keys + 16 * i));
    k->k1 = _mm_loadu_si128((const __m128i *)key->k1);
    k->k2 = _mm_loadu_si128((const __m128i *)key->k2);
}

AESNI_EXTERN void newip_cmac_key_init(newip_cmac_key *key, const uint8_t *secret) {
    key_regs k;
    key_init(&k, _mm_loadu_si128((const __m128i *)secret));
    for (int i = 0; i < 11; i++) _mm_storeu_si128((__m128i *)(key->round_keys + 16 * i), k.rk[i]);
    _mm_storeu_si128((__m128i *)key->k1, k.k1);
    _mm_storeu_si128((__m128i *)key->k2, k.k2);
}

AESNI_EXTERN void newip_aes128_encrypt(const newip_cmac_key *key, const uint8_t *in, uint8_t *out) {
    key_regs k;
    load_key(&k, key);
    _mm_storeu_si128((__m128i *)out, encrypt(k.rk, _mm_loadu_si128((const __m128i *)in)));
}

AESNI_EXTERN void newip_cmac(const newip_cmac_key *key, const uint8_t *message, size_t length, uint8_t *tag) {
    key_regs k;
    load_key(&k, key);
    _mm_storeu_si128((__m128i *)tag, cmac(&k, message, length));
}

// Two independent blocks in lockstep: the second one's rounds fill the first one's latency.
AESNI void encrypt2(const __m128i rk[11], __m128i *a, __m128i *b) {
    __m128i x = _mm_xor_si128(*a, rk[0]), y = _mm_xor_si128(*b, rk[0]);
    for (int i = 1; i < 10; i++) { x = _mm_aesenc_si128(x, rk[i]); y = _mm_aesenc_si128(y, rk[i]); }
    *a = _mm_aesenclast_si128(x, rk[10]);
    *b = _mm_aesenclast_si128(y, rk[10]);
}

AESNI_EXTERN uint64_t newip_cmac_derived(const newip_cmac_key *prf, const uint8_t *derivation, size_t derivation_length,
                                         const uint8_t *message, size_t length) {
    key_regs k;
    load_key(&k, prf);
    __m128i source_key = cmac(&k, derivation, derivation_length);
    uint8_t tag[16];
    if (length <= 16) {
        key_init(&k, source_key);
        _mm_storeu_si128((__m128i *)tag, cmac(&k, message, length));
    } else {
        // K_src's subkey block L = AES(K_src, 0) runs alongside the packet's first block.
        expand(k.rk, source_key);
        __m128i state = _mm_loadu_si128((const __m128i *)message), l = _mm_setzero_si128();
        encrypt2(k.rk, &state, &l);
        k.k1 = dbl(l);
        k.k2 = dbl(k.k1);
        size_t full = (length - 1) / 16, rest = length - 16 * full;
        for (size_t i = 1; i < full; i++)
            state = encrypt(k.rk, _mm_xor_si128(state, _mm_loadu_si128((const __m128i *)(message + 16 * i))));
        __m128i last;
        if (rest == 16) {
            last = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(message + 16 * full)), k.k1);
        } else {
            uint8_t pad[16] = {0};
            memcpy(pad, message + 16 * full, rest);
            pad[rest] = 0x80;
            last = _mm_xor_si128(_mm_loadu_si128((const __m128i *)pad), k.k2);
        }
        _mm_storeu_si128((__m128i *)tag, encrypt(k.rk, _mm_xor_si128(state, last)));
    }
    uint64_t mac = 0;
    for (int i = 0; i < 8; i++) mac = mac << 8 | tag[i];
    return mac;
}

#else  // No AES-NI on this architecture: NewIPSecurity uses swift-crypto.

int newip_aes_ni_available(void) { return 0; }
void newip_cmac_key_init(newip_cmac_key *key, const uint8_t *secret) { (void)key; (void)secret; __builtin_trap(); }
void newip_aes128_encrypt(const newip_cmac_key *key, const uint8_t *in, uint8_t *out) { (void)key; (void)in; (void)out; __builtin_trap(); }
void newip_cmac(const newip_cmac_key *key, const uint8_t *message, size_t length, uint8_t *tag) {
    (void)key; (void)message; (void)length; (void)tag; __builtin_trap();
}
uint64_t newip_cmac_derived(const newip_cmac_key *prf, const uint8_t *derivation, size_t derivation_length,
                            const uint8_t *message, size_t length) {
    (void)prf; (void)derivation; (void)derivation_length; (void)message; (void)length; __builtin_trap();
}

#endif
