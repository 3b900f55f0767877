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

    /// `node`'s signing identity with the registrar's certificate for the block covering
    /// `prefixes`, and the prefixes of those it may announce (outside the block: none, since
    /// its neighbours would refuse them); `nil` when `prefixes` holds no compact one.
    static func signing(seed: UInt64, node: String, prefixes: [RoutePrefix]) -> (RoutingSigning, [RoutePrefix])? {
        let identity = identity(seed: seed, node: node)
        let registrar = registrar(seed: seed)
        guard let certificate = RouterCertificate.issue(subjectKey: identity.publicKey, covering: prefixes, registrar: registrar,
                                                        domain: domain, serial: 1, notBefore: 0, notAfter: .max) else { return nil }
        let credential = RouterCredential.certificate(certificate)
        let signing = RoutingSigning(identity: RouterIdentity(identity: identity, credential: credential),
                                     trust: .registrar(publicKey: registrar.publicKey, domain: domain), unixTimeAtZero: 0)
        return (signing, prefixes.filter(credential.ownedPrefix.owns))
    }
}
