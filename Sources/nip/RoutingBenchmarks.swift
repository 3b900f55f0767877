import NewIPControl
import NewIPDataPlane
import NewIPSecurity
import NewIPWire

/// What authenticating a routing packet costs (NewIPControl): the HMAC-SHA256 of a link key
/// against the router's Ed25519 signature with its registrar certificate, on a packet of one
/// update, as a triggered update is.
enum RoutingBenchmarks {
    static func all() -> [Benchmark] {
        let registrar = try! DeviceIdentity(seed: Array(repeating: 0xEE, count: 32))
        let packets = (0..<256).map { i in
            RoutingPacket(sender: UInt64(i), counter: 1, messages: [.update(.init(
                holdTime: 3_500_000, seqno: 7, metric: RoutingMetric(delay: 3_000_000, hops: 2), origin: UInt64(i),
                prefix: .compact(CompactAddressPrefix(bits: UInt64(0xF100 + i) << 48, length: 16)!)))])
        }
        let identities = (0..<256).map { i in
            let identity = try! DeviceIdentity(seed: (0..<32).map { UInt8(truncatingIfNeeded: $0 &+ i) })
            var certificate = AddressCertificate(subject: .compact(CompactAddress(value: UInt64(0xF100 + i))!), prefixLength: 16,
                                                 subjectKey: identity.publicKey, domain: "routers.example", serial: UInt64(i),
                                                 notBefore: 0, notAfter: .max, issuer: registrar.keyID)
            certificate.sign(with: registrar)
            return RouterIdentity(identity: identity, credential: .certificate(certificate))
        }
        let key = LinkKey(Array(repeating: 0x5A, count: 32))
        let sealed = packets.map(key.seal)
        let signed = zip(identities, packets).map { $0.seal($1) }
        let plain = packets[0].encoded.count
        let inputs = "256 packets of one update (\(plain) B unauthenticated)"
        return [
            Benchmark(name: "routing: seal with the link's HMAC-SHA256", inputs: "\(inputs), +\(RoutingPacket.macLength) B", HMACSeal(key: key, packets: packets)),
            Benchmark(name: "routing: verify the link's HMAC-SHA256 (view + HMAC)", inputs: "the same packets sealed", HMACVerify(key: key, packets: sealed)),
            Benchmark(name: "routing: sign with the router's Ed25519 identity", inputs: "\(inputs), 256 routers, +\(identities[0].trailerLength) B (key, certificate, signature)",
                      Sign(identities: identities, packets: packets)),
            Benchmark(name: "routing: verify the signature (decode + Ed25519)", inputs: "the same packets signed, the neighbour's certificate already checked",
                      VerifySignature(packets: signed)),
            Benchmark(name: "routing: check a new neighbour's certificate (Ed25519 of the registrar)", inputs: "256 certificates",
                      CheckCredential(trust: .registrar(publicKey: registrar.publicKey, domain: "routers.example"), identities: identities)),
        ]
    }

    struct HMACSeal: BenchOperation {
        let key: LinkKey
        let packets: [RoutingPacket]
        var count: Int { packets.count }
        func run(_ index: Int) -> Int { key.seal(packets[index]).count }
    }

    struct HMACVerify: BenchOperation {
        let key: LinkKey
        let packets: [[UInt8]]
        var count: Int { packets.count }
        func run(_ index: Int) -> Int {
            packets[index].withUnsafeBytes { bytes in (try? RoutingPacketView(bytes)).map { key.verifies($0) ? 1 : 0 } ?? 0 }
        }
    }

    struct Sign: BenchOperation {
        let identities: [RouterIdentity]
        let packets: [RoutingPacket]
        var count: Int { packets.count }
        func run(_ index: Int) -> Int { identities[index].seal(packets[index]).count }
    }

    struct VerifySignature: BenchOperation {
        let packets: [[UInt8]]
        var count: Int { packets.count }
        func run(_ index: Int) -> Int {
            packets[index].withUnsafeBytes { bytes in
                guard let packet = try? RoutingPacket(parsing: bytes), let signature = packet.signature else { return 0 }
                return signature.isValid(for: bytes) ? 1 : 0
            }
        }
    }

    struct CheckCredential: BenchOperation {
        let trust: RoutingTrust
        let identities: [RouterIdentity]
        var count: Int { identities.count }
        func run(_ index: Int) -> Int {
            trust.vouches(for: identities[index].credential, publicKey: identities[index].identity.publicKey, unixTime: 1_900_000_000) ? 1 : 0
        }
    }
}
