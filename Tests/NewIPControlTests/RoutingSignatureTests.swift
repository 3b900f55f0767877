import NewIPControl
import NewIPDataPlane
import NewIPSecurity
import NewIPWire
import XCTest

private let ms = TestNetwork.ms

/// Signature mode: routing packets signed with the routers' Ed25519 identities, their keys
/// vouched for by a registrar's certificates or by self-certifying addresses.
final class RoutingSignatureTests: XCTestCase {
    static let domain = "routers.example"
    static let registrar = try! DeviceIdentity(seed: Array(repeating: 0xEE, count: 32))

    static func identity(_ router: Int) -> DeviceIdentity { try! DeviceIdentity(seed: Array(repeating: UInt8(router + 1), count: 32)) }

    /// `router`'s certificate for `block` (by default its own prefix in `TestNetwork`), valid
    /// from Unix time 0 to 1,000 s, signed by `registrar`.
    static func certificate(_ router: Int, key: DeviceIdentity? = nil, block: (address: String, length: Int)? = nil,
                            registrar: DeviceIdentity = registrar) -> RouterCredential {
        let block = block ?? ("0x\(String(router + 0x10, radix: 16))", 8)
        var certificate = AddressCertificate(subject: .compact(CompactAddress(block.address)!), prefixLength: block.length,
                                             subjectKey: (key ?? identity(router)).publicKey, domain: domain, serial: UInt64(router),
                                             notBefore: 0, notAfter: 1_000, issuer: registrar.keyID)
        certificate.sign(with: registrar)
        return .certificate(certificate)
    }

    static func signing(_ router: Int, credential: RouterCredential? = nil, trust: RoutingTrust? = nil) -> RoutingSigning {
        RoutingSigning(identity: RouterIdentity(identity: identity(router), credential: credential ?? certificate(router)),
                       trust: trust ?? .registrar(publicKey: registrar.publicKey, domain: domain), unixTimeAtZero: 0)
    }

    static let hello = RoutingPacket(sender: 9, counter: 1, messages: [.hello(.init(seqno: 1, holdTime: 350_000, timestamp: 0))])

    // MARK: Wire

    func testASelfCertifyingTrailerHasTheDocumentedLayoutAndDecodesBack() throws {
        let key = Self.identity(0)
        let (address, modifier) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: CompactAddressPrefix("0xDE/8")!, publicKey: key.publicKey))
        let credential = RouterCredential.selfCertifying(address: .compact(address), prefixLength: 8, modifier: modifier)
        let identity = RouterIdentity(identity: key, credential: credential)
        let bytes = identity.seal(Self.hello)
        // 20 header + 16 hello, then kind 2, credential length 6, the key (32), prefix length 8,
        // the modifier, type 3 (compact), length 2, the address (2), the signature (64).
        XCTAssertEqual(identity.trailerLength, 3 + 32 + 6 + 64)
        XCTAssertEqual(bytes.count, 36 + identity.trailerLength)
        XCTAssertEqual(Array(bytes[36..<39]), [2, 0, 6])
        XCTAssertEqual(Array(bytes[39..<71]), key.publicKey)
        XCTAssertEqual(Array(bytes[71..<77]), [8, modifier, 3, 2, 0xDE, UInt8(truncatingIfNeeded: address.storage >> 48)])
        let signed = Array(bytes[..<77])
        XCTAssertTrue(verifyEd25519(signature: Array(bytes[77...]), message: RoutingSignature.signingContext + signed, publicKey: key.publicKey))
        let decoded = try bytes.withUnsafeBytes { (raw) throws(WireError) in try RoutingPacket(parsing: raw) }
        XCTAssertEqual(decoded.messages, Self.hello.messages)
        XCTAssertNil(decoded.mac)
        XCTAssertEqual(decoded.signature, RoutingSignature(publicKey: key.publicKey, credential: credential, signature: Array(bytes[77...])))
        XCTAssertEqual(decoded.encoded, bytes)
    }

    func testACertificateTrailerCarriesTheCertificatesEncoding() throws {
        let credential = Self.certificate(3)
        guard case .certificate(let certificate) = credential else { return XCTFail("not a certificate") }
        let bytes = RouterIdentity(identity: Self.identity(3), credential: credential).seal(Self.hello)
        let length = certificate.encoded.count
        XCTAssertEqual(Array(bytes[36..<39]), [1, UInt8(length >> 8), UInt8(length & 0xFF)])
        XCTAssertEqual(Array(bytes[71..<(71 + length)]), certificate.encoded)
        XCTAssertEqual(bytes.count, 36 + 3 + 32 + length + 64)
    }

    func testTrailersWhoseFieldsDoNotAddUpAreRefusedAtTheirOffset() {
        let bytes = RouterIdentity(identity: Self.identity(0), credential: Self.certificate(0)).seal(Self.hello)
        func error(_ mutate: (inout [UInt8]) -> Void) -> WireError? {
            var copy = bytes
            mutate(&copy)
            return copy.withUnsafeBytes { raw -> WireError? in
                do throws(WireError) { _ = try RoutingPacket(parsing: raw) } catch { return error }
                return nil
            }
        }
        XCTAssertEqual(error { $0[36] = 7 }?.offset, 36)
        XCTAssertEqual(error { $0[38] &+= 1 }?.offset, 37)
        XCTAssertEqual(error { $0.removeLast() }?.offset, 37)
        // 40 bytes after the body: neither an HMAC nor a whole signature trailer.
        XCTAssertEqual(error { $0.removeLast($0.count - 76) }, .truncated(at: 76, needed: 59))
        // The certificate's own version byte, at 71.
        XCTAssertEqual(error { $0[71] = 9 }?.offset, 71)
    }

    // MARK: A signed network

    func testASignedNetworkConvergesToTheSameRoutesAsAnHMACOne() {
        let links: [(Int, Int, Nanoseconds)] = [(0, 1, 2 * ms), (1, 2, 5 * ms), (0, 2, 10 * ms), (2, 3, ms)]
        var keyed = TestNetwork(routers: 4, links: links, key: LinkKey(Array("a shared link key".utf8)))
        var signed = TestNetwork(routers: 4, links: links) { $0.signing = Self.signing(Int($0.routerID) - 1) }
        keyed.run(until: 3_000 * ms)
        signed.run(until: 3_000 * ms)
        for router in 0..<4 {
            for destination in 0..<4 where destination != router {
                XCTAssertNotNil(signed.route(router, to: destination))
                XCTAssertEqual(signed.route(router, to: destination), keyed.route(router, to: destination), "\(router) → \(destination)")
            }
            XCTAssertEqual(signed.routers[router].statistics.badSignature + signed.routers[router].statistics.untrustedKey
                           + signed.routers[router].statistics.prefixNotOwned + signed.routers[router].statistics.unsigned, 0)
        }
        XCTAssertEqual(signed.route(0, to: 3)?.metric, RoutingMetric(delay: 8 * ms, hops: 3))
    }

    /// A chain 0–1–2–3 (1 ms links) whose router 3 is adjusted by `bad`, run for 1 s: router 2's
    /// counters, and whether 0, 1 and 2 route to each other and to 3.
    private func chain(badRouter bad: (inout DelayVectorRouting.Configuration) -> Void,
                       rewrite: @escaping (Int, inout [UInt8]) -> Void = { _, _ in }) -> TestNetwork {
        var network = TestNetwork(routers: 4, links: [(0, 1, ms), (1, 2, ms), (2, 3, ms)]) { configuration in
            configuration.signing = Self.signing(Int(configuration.routerID) - 1)
            if configuration.routerID == 4 { bad(&configuration) }
        }
        network.rewrite = rewrite
        network.run(until: 1_000 * ms)
        for router in 0..<3 {
            for destination in 0..<3 where destination != router { XCTAssertNotNil(network.route(router, to: destination), "\(router) → \(destination)") }
        }
        return network
    }

    /// Router 3 sends a hello and its first dump at 0, answers 2's first hello at once (1 ms),
    /// then hellos every 100 ms: 11 packets reach 2 by 1 s (the one of 1 s arrives at 1,001 ms).
    private static let packetsFromThree = 11

    func testARouterWithAForgedSignatureIsRefusedAndTheRestConverges() {
        let network = chain(badRouter: { _ in }, rewrite: { router, datagram in
            if router == 3 { datagram[datagram.count - 1] ^= 1 }
        })
        XCTAssertEqual(network.routers[2].statistics.badSignature, Self.packetsFromThree)
        XCTAssertEqual(network.routers[2].statistics.untrustedKey, 0)
        XCTAssertEqual(network.routers[2].neighbourKeys.map(\.router), [2])
        for router in 0..<3 { XCTAssertNil(network.route(router, to: 3)) }
    }

    func testARouterWhoseKeyTheCertificateDoesNotNameIsRefused() {
        // 3 signs with its own key but shows 1's certificate for 0x13.
        let network = chain(badRouter: { configuration in
            configuration.signing = Self.signing(3, credential: Self.certificate(3, key: Self.identity(1)))
        })
        XCTAssertEqual(network.routers[2].statistics.untrustedKey, Self.packetsFromThree)
        XCTAssertEqual(network.routers[2].statistics.badSignature, 0)
        for router in 0..<3 { XCTAssertNil(network.route(router, to: 3)) }
    }

    func testARouterCertifiedByAnotherRegistrarIsRefused() {
        let foreign = try! DeviceIdentity(seed: Array(repeating: 0xAB, count: 32))
        let network = chain(badRouter: { configuration in
            configuration.signing = Self.signing(3, credential: Self.certificate(3, registrar: foreign))
        })
        XCTAssertEqual(network.routers[2].statistics.untrustedKey, Self.packetsFromThree)
        for router in 0..<3 { XCTAssertNil(network.route(router, to: 3)) }
    }

    func testARouteOriginatedOutsideTheCertifiedBlockIsRefusedAndTheRestKept() {
        // 3 owns 0x13 and also announces 0x10, router 0's.
        let network = chain(badRouter: { configuration in
            configuration.prefixes.append(TestNetwork.prefix(0))
        })
        // Two dumps reach 2 by 1 s (at 1 ms and 2 ms: the first, and the one answering 2's
        // first hello, which makes 2 hear 3), each announcing 0x10 once.
        XCTAssertEqual(network.routers[2].statistics.prefixNotOwned, 2)
        XCTAssertEqual(network.routers[2].statistics.untrustedKey, 0)
        XCTAssertEqual(network.route(0, to: 3)?.metric, RoutingMetric(delay: 3 * ms, hops: 3))
        XCTAssertEqual(network.route(2, to: 0)?.neighbour.router, 2)
    }

    func testSelfCertifyingAddressesVouchForTheirOwnKeysOnly() throws {
        let prefix = CompactAddressPrefix("0xDE/8")!
        let key = Self.identity(8)
        let (address, modifier) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: prefix, publicKey: key.publicKey))
        let own = RouterCredential.selfCertifying(address: .compact(address), prefixLength: 8, modifier: modifier)
        let (other, otherModifier) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: prefix, publicKey: Self.identity(5).publicKey))
        let stolen = RouterCredential.selfCertifying(address: .compact(other), prefixLength: 8, modifier: otherModifier)
        var configuration = DelayVectorRouting.Configuration(routerID: 1, interfaces: [.init()], prefixes: [])
        configuration.signing = Self.signing(0, trust: .selfCertifying)
        var router = DelayVectorRouting(configuration, now: 0)
        func deliver(_ credential: RouterCredential, counter: UInt64) {
            var packet = Self.hello
            packet.counter = counter
            RouterIdentity(identity: key, credential: credential).seal(packet).withUnsafeBytes { router.receive($0, on: 0, now: 1_000) }
        }
        deliver(stolen, counter: 1)
        deliver(Self.certificate(8), counter: 2)
        deliver(own, counter: 3)
        deliver(own, counter: 3)
        Self.hello.encoded.withUnsafeBytes { router.receive($0, on: 0, now: 1_000) }
        var expected = RoutingCounters()
        expected.untrustedKey = 2
        expected.packetsReceived = 1
        expected.replayed = 1
        expected.unsigned = 1
        XCTAssertEqual(router.statistics, expected)
        XCTAssertEqual(router.neighbourKeys, [.init(interface: 0, router: 9)])
        XCTAssertTrue(own.ownedPrefix.owns(RoutePrefix(exactly: .compact(address))))
        XCTAssertFalse(own.ownedPrefix.owns(.compact(prefix)))
    }
}
