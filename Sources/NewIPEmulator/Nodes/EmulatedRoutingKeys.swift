import NewIPControl
import NewIPDataPlane
import NewIPRandom
import NewIPSecurity
import NewIPTopology
import NewIPWire

/// The keys `routing: dynamic` authenticates with in the emulator, derived from the seed so a
/// run is the same every time: a key per link (`authentication: hmac`), or per node an
/// Ed25519 identity and the network registrar's certificate for the block it announces
/// (`authentication: signature`).
enum EmulatedRoutingKeys {
    /// The domain the emulated registrar certifies routers in.
    static let domain = "routing.emulated"

    static func bytes(seed: UInt64, _ name: String) -> [UInt8] {
        var random = RandomStream(seed: seed, name: name)
        return (0..<4).flatMap { _ in withUnsafeBytes(of: random.next().bigEndian, Array.init) }
    }

    static func linkKey(seed: UInt64, link: Int) -> LinkKey { LinkKey(bytes(seed: seed, "routing/link/\(link)/key")) }

    static func registrar(seed: UInt64) -> DeviceIdentity { try! DeviceIdentity(seed: bytes(seed: seed, "routing/registrar")) }

    static func identity(seed: UInt64, node: String) -> DeviceIdentity { try! DeviceIdentity(seed: bytes(seed: seed, "routing/\(node)/identity")) }

    /// The shortest compact block holding every compact prefix of `prefixes` (`nil` when there
    /// is none), as an address and a length for a certificate.
    static func block(covering prefixes: [RoutePrefix]) -> (address: CompactAddress, length: Int)? {
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

    /// `node`'s signing identity with the registrar's certificate for the block covering
    /// `prefixes`, and the prefixes of those it may announce (outside the block: none, since
    /// its neighbours would refuse them); `nil` when `prefixes` holds no compact one.
    static func signing(seed: UInt64, node: String, prefixes: [RoutePrefix]) -> (RoutingSigning, [RoutePrefix])? {
        guard let block = block(covering: prefixes) else { return nil }
        let identity = identity(seed: seed, node: node)
        let registrar = registrar(seed: seed)
        var certificate = AddressCertificate(subject: .compact(block.address), prefixLength: block.length, subjectKey: identity.publicKey,
                                             domain: domain, serial: 1, notBefore: 0, notAfter: .max, issuer: registrar.keyID)
        certificate.sign(with: registrar)
        let credential = RouterCredential.certificate(certificate)
        let signing = RoutingSigning(identity: RouterIdentity(identity: identity, credential: credential),
                                     trust: .registrar(publicKey: registrar.publicKey, domain: domain), unixTimeAtZero: 0)
        return (signing, prefixes.filter(credential.ownedPrefix.owns))
    }
}
