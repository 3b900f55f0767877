import NewIPDataPlane
import NewIPWire

extension NodeConfig {
    /// The routing protocol the node runs (`routing:`, docs/node.md): the delay-vector protocol
    /// of `NewIPControl` on the interfaces named, each with its neighbour's address (where the
    /// protocol's datagrams go) and the link's HMAC-SHA256 key, or with `signing` the router's
    /// signature in place of the links' keys.
    public struct Routing: Sendable, Equatable {
        public enum ProtocolName: String, Sendable, CaseIterable {
            case delayVector = "delay-vector"
        }

        /// A link's key: written in the node file (hex), or a file of one hex line, mode 0600.
        public enum Key: Sendable, Equatable {
            case bytes([UInt8])
            case file(String)
        }

        /// `authentication: signature`: the router signs its updates with its Ed25519 identity and
        /// shows the registrar's certificate for its block; neighbours take only updates whose
        /// key a certificate from the trusted registrar vouches for.
        public struct Signing: Sendable, Equatable {
            /// The router's device key file (`nip key generate`; mode 0600, read at start).
            public var identity: String
            /// The registrar's certificate for the router's block and key (its encoding; hex in the file).
            public var certificate: [UInt8]
            /// The registrar's Ed25519 public key and the domain it certifies in.
            public var registrarKey: [UInt8]
            public var domain: String

            public init(identity: String, certificate: [UInt8], registrarKey: [UInt8], domain: String) {
                self.identity = identity
                self.certificate = certificate
                self.registrarKey = registrarKey
                self.domain = domain
            }
        }

        public struct Interface: Sendable, Equatable {
            public var name: String
            /// The neighbour's address on the link: the protocol's datagrams are sent to it.
            public var neighbour: FrameworkAddress
            /// `nil` with signing: the signature authenticates the updates instead.
            public var key: Key?

            public init(name: String, neighbour: FrameworkAddress, key: Key?) {
                self.name = name
                self.neighbour = neighbour
                self.key = key
            }
        }

        public var `protocol`: ProtocolName = .delayVector
        /// The router's id in the protocol, unique in the network.
        public var routerID: UInt64
        public var interfaces: [Interface]
        /// Timers; `nil`: the protocol's defaults (100 ms, 1 s, 2 s).
        public var hello: Nanoseconds?
        public var update: Nanoseconds?
        public var holdDown: Nanoseconds?
        /// How route changes driven by measured delay are damped (a topology's `routing:` settings).
        public var damping: RoutingDamping
        /// The block the node announces in place of its addresses inside it (a topology node's
        /// `prefix`); routes inside it, its hosts', are not passed on.
        public var prefix: CompactAddressPrefix?
        /// Signed updates in place of link keys; `nil`: the links' HMAC keys.
        public var signing: Signing?

        public init(routerID: UInt64, interfaces: [Interface], hello: Nanoseconds? = nil, update: Nanoseconds? = nil,
                    holdDown: Nanoseconds? = nil, damping: RoutingDamping = RoutingDamping(), prefix: CompactAddressPrefix? = nil,
                    signing: Signing? = nil) {
            self.routerID = routerID
            self.interfaces = interfaces
            self.hello = hello
            self.update = update
            self.holdDown = holdDown
            self.damping = damping
            self.prefix = prefix
            self.signing = signing
        }

        /// Keys shorter than this are refused: HMAC-SHA256 wants at least 128 bits of secret.
        public static let minimumKeyBytes = 16

        /// `text` as key bytes (an even number of hex digits, an optional `0x`); `nil` when it is not.
        public static func keyBytes(hex text: String) -> [UInt8]? {
            let digits = Array((text.hasPrefix("0x") ? text.dropFirst(2) : Substring(text)).utf8)
            guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(digits.count / 2)
            for index in stride(from: 0, to: digits.count, by: 2) {
                guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
                bytes.append(high << 4 | low)
            }
            return bytes
        }

        public static func hexText(_ bytes: [UInt8]) -> String {
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
        }

        private static func hexValue(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        var yaml: String {
            var out = "routing:\n  protocol: \(`protocol`.rawValue)\n  router-id: \(routerID)\n"
            if let prefix { out += "  prefix: \"\(prefix)\"\n" }
            if let hello { out += "  hello: \(UnitText.duration(hello))\n" }
            if let update { out += "  update: \(UnitText.duration(update))\n" }
            if let holdDown { out += "  hold-down: \(UnitText.duration(holdDown))\n" }
            if let hysteresis = damping.hysteresis { out += "  hysteresis: \(UnitText.duration(hysteresis))\n" }
            if let retain = damping.smoothingRetain { out += "  smoothing: \(Double(retain) / 1000)\n" }
            if let step = damping.maxDelayStep { out += "  max-delay-step: \(step == .max ? "none" : UnitText.duration(step))\n" }
            if let hold = damping.routeHold { out += "  route-hold: \(UnitText.duration(hold))\n" }
            if let signing {
                out += "  authentication: signature\n  identity: \"\(signing.identity)\"\n"
                out += "  certificate: \"\(Self.hexText(signing.certificate))\"\n"
                out += "  trust: {registrar-key: \"\(Self.hexText(signing.registrarKey))\", domain: \"\(signing.domain)\"}\n"
            }
            out += "  interfaces:\n"
            for interface in interfaces {
                let key = switch interface.key {
                case .bytes(let bytes)?: ", key: \"\(Self.hexText(bytes))\""
                case .file(let path)?: ", key-file: \"\(path)\""
                case nil: ""
                }
                out += "    - {name: \(interface.name), neighbour: \"\(interface.neighbour)\"\(key)}\n"
            }
            return out
        }
    }

    /// The `routing:` section as YAML, empty when the node has none.
    var routingYAML: String { routing?.yaml ?? "" }
}

extension RoutingDamping {
    /// The settings' keys, the same in a topology's `routing:` and a node file's.
    static let keys = ["hysteresis", "smoothing", "max-delay-step", "route-hold"]
}

extension YAMLReader {
    /// The damping settings among `fields` (`RoutingDamping.keys`; those not written stay `nil`).
    func routingDamping(_ fields: Fields) -> RoutingDamping {
        var damping = RoutingDamping()
        damping.hysteresis = fields["hysteresis"].flatMap { quantity($0, "hysteresis", Units.duration) }
        damping.smoothingRetain = fields["smoothing"].flatMap { probability($0, "smoothing") }.map { Int64(($0 * 1000).rounded()) }
        damping.maxDelayStep = fields["max-delay-step"].flatMap { node -> Nanoseconds? in
            if node.scalar?.string == "none" { return .max }
            return quantity(node, "max-delay-step", Units.duration)
        }
        damping.routeHold = fields["route-hold"].flatMap { quantity($0, "route-hold", Units.duration) }
        return damping
    }
}

/// Reads a node file's `routing:` section (once the interfaces are read). A key file's path is
/// kept as written; the node reads it at start and refuses one that others may read.
struct NodeFileRoutingParser {
    let reader: YAMLReader

    static let keys = ["protocol", "router-id", "prefix", "interfaces", "hello", "update", "hold-down",
                       "authentication", "identity", "certificate", "trust"] + RoutingDamping.keys
    static let trustKeys = ["registrar-key", "domain"]
    static let interfaceKeys = ["name", "neighbour", "key", "key-file"]

    func routing(_ node: YAMLNode, dialect: PacketDialect, interfaces declared: [String], tuns: Set<String>) -> NodeConfig.Routing? {
        guard let f = reader.fields(node, "routing", allowed: Self.keys, required: ["protocol", "router-id", "interfaces"]) else { return nil }
        _ = f["protocol"].flatMap { reader.choice($0, "routing protocol", NodeConfig.Routing.ProtocolName.self) }
        let routerID = f["router-id"].flatMap { reader.integer($0, "router-id", in: 0...Int(Int64.max)) }
        var timers: [String: Nanoseconds] = [:]
        for key in ["hello", "update", "hold-down"] {
            guard let node = f[key], let value = reader.quantity(node, "routing \(key)", Units.duration) else { continue }
            guard value >= 1_000_000, value <= 3_600_000_000_000 else {
                reader.error(node, "routing \(key) \(UnitText.duration(value)) is outside 1ms…1h",
                             fix: "write e.g. `\(key): \(key == "hello" ? "100ms" : key == "update" ? "1s" : "2s")`")
                continue
            }
            timers[key] = value
        }
        if let hello = timers["hello"], let update = timers["update"], update < hello, let node = f["update"] {
            reader.error(node, "routing updates every \(UnitText.duration(update)) are more frequent than hellos (\(UnitText.duration(hello)))",
                         fix: "make `update` at least `hello` (the defaults: hello 100ms, update 1s)")
        }
        let signed = f["authentication"].flatMap { reader.choice($0, "routing authentication", Authentication.self) } == .signature
        let signing = signed ? self.signing(f, at: f.key("authentication")) : nil
        if !signed, let extra = ["identity", "certificate", "trust"].first(where: { f[$0] != nil }) {
            reader.error(f.key(extra), "`\(extra)` is for signed updates; this router authenticates with link keys",
                         fix: "add `authentication: signature`, or remove `\(extra)`")
        }
        var interfaces: [NodeConfig.Routing.Interface] = []
        if let list = f["interfaces"], let items = reader.sequence(list, "routing `interfaces`") {
            if items.isEmpty {
                reader.error(list, "routing runs on no interface", fix: "add `- {name: eth0, neighbour: \"0x10\", key: …}`")
            }
            for item in items {
                guard let entry = interface(item, dialect: dialect, declared: declared, tuns: tuns, signed: signed) else { continue }
                if interfaces.contains(where: { $0.name == entry.name }) {
                    reader.error(item, "routing names interface `\(entry.name)` twice", fix: "keep one entry per interface")
                    continue
                }
                interfaces.append(entry)
            }
        }
        let prefix = f["prefix"].flatMap { node -> CompactAddressPrefix? in
            guard let text = reader.text(node, "routing prefix") else { return nil }
            guard let prefix = CompactAddressPrefix(text), prefix.length > 0 else {
                reader.error(node, "`\(text)` is no compact prefix", fix: "write hex bytes and a bit length, e.g. `prefix: \"0xF114/16\"`")
                return nil
            }
            return prefix
        }
        guard let routerID, signing != nil || !signed else { return nil }
        return NodeConfig.Routing(routerID: UInt64(routerID), interfaces: interfaces, hello: timers["hello"], update: timers["update"],
                                  holdDown: timers["hold-down"], damping: reader.routingDamping(f), prefix: prefix, signing: signing)
    }

    /// How updates are authenticated: the links' HMAC keys (the default) or the router's signature.
    enum Authentication: String, CaseIterable {
        case hmac, signature
    }

    /// The signing identity, certificate and trust of `authentication: signature`.
    private func signing(_ f: YAMLReader.Fields, at place: YAMLNode?) -> NodeConfig.Routing.Signing? {
        let example = "`identity: r1.key`, `certificate: <hex>`, `trust: {registrar-key: <hex>, domain: routing.example}`"
        guard let identityNode = f["identity"], let certificateNode = f["certificate"], let trustNode = f["trust"] else {
            let missing = ["identity", "certificate", "trust"].filter { f[$0] == nil }.map { "`\($0)`" }.joined(separator: ", ")
            reader.error(place, "signed routing updates need the router's \(missing)", fix: "add \(example) (`nip up` writes them)")
            return nil
        }
        let identity = reader.text(identityNode, "routing identity key file")
        let certificate = hexBytes(certificateNode, "routing certificate", fix: "write the registrar's certificate for the router's block as hex")
        guard let t = reader.fields(trustNode, "routing trust", allowed: Self.trustKeys, required: Self.trustKeys) else { return nil }
        let registrarKey = t["registrar-key"].flatMap { node -> [UInt8]? in
            guard let bytes = hexBytes(node, "registrar key", fix: "write the registrar's Ed25519 public key, 64 hex digits") else { return nil }
            guard bytes.count == 32 else {
                reader.error(node, "the registrar key has \(bytes.count) bytes; an Ed25519 public key has 32", fix: "write 64 hex digits")
                return nil
            }
            return bytes
        }
        let domain = t["domain"].flatMap { reader.text($0, "routing trust domain") }
        guard let identity, let certificate, let registrarKey, let domain else { return nil }
        return NodeConfig.Routing.Signing(identity: identity, certificate: certificate, registrarKey: registrarKey, domain: domain)
    }

    private func hexBytes(_ node: YAMLNode, _ what: String, fix: String) -> [UInt8]? {
        guard let text = reader.text(node, what) else { return nil }
        guard let bytes = NodeConfig.Routing.keyBytes(hex: text) else {
            reader.error(node, "the \(what) is not hex digits", fix: fix)
            return nil
        }
        return bytes
    }

    private func interface(_ item: YAMLNode, dialect: PacketDialect, declared: [String], tuns: Set<String>, signed: Bool) -> NodeConfig.Routing.Interface? {
        guard let f = reader.fields(item, "a routing interface", allowed: Self.interfaceKeys, required: ["name", "neighbour"]),
              let nameNode = f["name"], let name = reader.text(nameNode, "routing interface") else { return nil }
        guard declared.contains(name) else {
            reader.error(nameNode, "no interface `\(name)`\(Suggestion.hint(for: name, in: declared))",
                         fix: declared.isEmpty ? "define the node's interfaces first" : "name one of \(declared.joined(separator: ", "))")
            return nil
        }
        if tuns.contains(name) {
            reader.error(nameNode, "interface `\(name)` is a tun: the host's IP stack runs no New IP routing",
                         fix: "run routing on the node's udp or ethernet interfaces")
            return nil
        }
        let neighbour = f["neighbour"].flatMap { NodeFileParser(reader: reader).address($0, dialect: dialect) }
        let key: NodeConfig.Routing.Key?
        if signed {
            if let extra = ["key", "key-file"].first(where: { f[$0] != nil }) {
                reader.error(f.key(extra), "interface `\(name)` has a link key, but the router signs its updates",
                             fix: "remove `\(extra)` (`authentication: signature` replaces the links' keys)")
                return nil
            }
            guard let neighbour else { return nil }
            return NodeConfig.Routing.Interface(name: name, neighbour: neighbour, key: nil)
        }
        switch (f["key"], f["key-file"]) {
        case (let node?, nil):
            key = reader.text(node, "routing key").flatMap { text in
                guard let bytes = NodeConfig.Routing.keyBytes(hex: text) else {
                    reader.error(node, "the key of `\(name)` is not hex digits", fix: "write the link's key as hex, e.g. 64 digits (`openssl rand -hex 32`)")
                    return nil
                }
                guard bytes.count >= NodeConfig.Routing.minimumKeyBytes else {
                    reader.error(node, "the key of `\(name)` has \(bytes.count) bytes; HMAC-SHA256 needs at least \(NodeConfig.Routing.minimumKeyBytes)",
                                 fix: "write at least 32 hex digits (`openssl rand -hex 32` gives 64)")
                    return nil
                }
                return .bytes(bytes)
            }
        case (nil, let node?):
            key = reader.text(node, "routing key file").map { .file($0) }
        case (_?, _?):
            reader.error(f.key("key-file"), "interface `\(name)` has both `key` and `key-file`", fix: "keep one of them")
            key = nil
        case (nil, nil):
            reader.error(item, "interface `\(name)` has no link key: routing updates are authenticated (HMAC-SHA256)",
                         fix: "add `key: <hex>` (the same on both ends of the link) or `key-file: link.key` (mode 0600)")
            key = nil
        }
        guard let neighbour, let key else { return nil }
        return NodeConfig.Routing.Interface(name: name, neighbour: neighbour, key: key)
    }
}
