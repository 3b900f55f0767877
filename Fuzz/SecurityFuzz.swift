// libFuzzer target: NewIPSecurity's decoders of untrusted input, the source authenticator a
// router reads from every packet and the address certificates a node reads from the network.
//
// A module of its own importing NewIPSecurity (see Fuzz/run.sh), using only the public API.
//
// Each input is fed to:
// - `SourceAuthenticatorItem(parsingBody:)`: a refusal is a `WireError` inside the input; an
//   accepted body is 14 or 46 bytes and re-encodes to the input byte for byte;
// - `NewIPPacketView` in both dialects, then `SourceAuthenticatorItem.locate` and a verifier
//   (fixed secret, window and clock): any verdict, never a trap; a packet it calls `valid` must
//   be a `replay` the second time;
// - `AddressCertificate(parsing:)`: a refusal points inside the input; an accepted certificate
//   re-encodes to the input and does not verify under a fixed registrar key (no forged signature).

import Crypto
import NewIPSecurity
import NewIPWire

nonisolated(unsafe) var securityFuzzSink = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func securityFuzz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: bytes, count: size))
    fuzzAuthenticatorBody(input)
    fuzzPackets(input)
    fuzzCertificate(input)
    return 0
}

func fuzzAuthenticatorBody(_ input: [UInt8]) {
    do {
        let item = try input.withUnsafeBytes { try SourceAuthenticatorItem(parsingBody: $0) }
        precondition(item.body == input, "authenticator body does not re-encode to its input")
    } catch let error as WireError {
        precondition(error.offset >= 0 && error.offset <= input.count, "error offset \(error.offset) outside the input")
        securityFuzzSink &+= error.offset
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
}

func fuzzPackets(_ input: [UInt8]) {
    // Made per input, not as globals: lazily built globals read as leaks to LeakSanitizer.
    let secret = FirstHopSecret(epoch: 1, key: SymmetricKey(data: Array<UInt8>(repeating: 7, count: 16)))
    let now: UInt64 = 1_894_060_800 * 1_000_000_000
    input.withUnsafeBytes { raw in
        for dialect in [PacketDialect.compact, .framework] {
            guard let view = try? NewIPPacketView(raw, dialect: dialect) else { continue }
            if let range = try? SourceAuthenticatorItem.locate(in: view) {
                precondition(range.lowerBound >= 0 && range.upperBound <= raw.count, "authenticator outside the packet")
                precondition(range.count == SourceAuthenticatorItem.bodyLength || range.count == SourceAuthenticatorItem.bodyLengthWithKey)
            }
            var verifier = SourceAuthVerifier(secrets: [secret], window: 1_000_000_000, replayCapacity: 64,
                                              selfCertifiedPrefixLength: 8, now: now)
            let first = verifier.verify(view, now: now)
            if first == .valid {
                precondition(verifier.verify(view, now: now) == .replay, "a valid packet was accepted twice")
            }
            if case .malformed(let error) = first { securityFuzzSink &+= error.offset }
        }
    }
}

func fuzzCertificate(_ input: [UInt8]) {
    do {
        let certificate = try AddressCertificate(parsing: input)
        precondition(certificate.encoded == input, "certificate does not re-encode to its input")
        let registrar = try! DeviceIdentity(seed: Array(repeating: 0x42, count: 32))
        let verdict = certificate.verify(registrarKey: registrar.publicKey, domain: certificate.domain, now: certificate.notBefore)
        precondition(verdict == .wrongIssuer || verdict == .badSignature, "a fuzzed certificate verified: \(verdict)")
    } catch let error as WireError {
        precondition(error.offset >= 0 && error.offset <= input.count, "error offset \(error.offset) outside the input")
        securityFuzzSink &+= error.offset
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
}
