import NewIPDataPlane
import NewIPSecurity
import NewIPWire

/// A registrar's certificate for a router's block, as the emulator and `nip up` issue them for
/// signed routing updates: the shortest compact block holding what the router originates.
public enum RouterCertificate {
    /// The shortest compact block holding every compact prefix of `prefixes` (`nil` when there
    /// is none), as an address and a length for a certificate.
    public static func block(covering prefixes: [RoutePrefix]) -> (address: CompactAddress, length: Int)? {
        let compact = prefixes.compactMap { prefix -> CompactAddressPrefix? in
            if case .compact(let inner) = prefix { inner } else { nil }
        }
        guard let first = compact.first else { return nil }
        var length = compact.map(\.length).min()!
        while length > 0, compact.contains(where: { $0.bits & CompactAddressPrefix.mask(length) != first.bits & CompactAddressPrefix.mask(length) }) {
            length -= 1
        }
        let bits = first.bits & CompactAddressPrefix.mask(length)
        let top = UInt8(truncatingIfNeeded: bits >> 56)
        guard let size = CompactAddress.encodedLength(forFirstByte: top), length <= 8 * size,
              let address = try? CompactAddress(encoded: (0..<size).map { UInt8(truncatingIfNeeded: bits >> UInt64(56 - 8 * $0)) }) else { return nil }
        return (address, length)
    }

    /// `registrar`'s signed certificate giving `subjectKey` the block covering `prefixes` in
    /// `domain` from `notBefore` to `notAfter` (Unix seconds); `nil` when `prefixes` holds no compact one.
    public static func issue(subjectKey: [UInt8], covering prefixes: [RoutePrefix], registrar: DeviceIdentity, domain: String,
                             serial: UInt64, notBefore: UInt64, notAfter: UInt64) -> AddressCertificate? {
        guard let block = block(covering: prefixes) else { return nil }
        var certificate = AddressCertificate(subject: .compact(block.address), prefixLength: block.length, subjectKey: subjectKey,
                                             domain: domain, serial: serial, notBefore: notBefore, notAfter: notAfter, issuer: registrar.keyID)
        certificate.sign(with: registrar)
        return certificate
    }
}
