import NewIPDataPlane
import NewIPWire

extension NodeConfig {
    /// Neighbour discovery on the node's compact interfaces (`neighbours:`, docs/node.md).
    public struct Neighbours: Sendable, Equatable {
        /// A router's hello interval; `nil`: it sends none (it still answers solicitations).
        public var hello: Nanoseconds?
        /// How long a hello holds (default: three intervals).
        public var hold: Nanoseconds?
        /// The prefix a router's hellos offer the link's hosts.
        public var prefix: CompactAddressPrefix?
        /// A host's address suffix: it forms its address in the prefix a router's hello offers.
        public var suffix: UInt64?

        public init(hello: Nanoseconds? = nil, hold: Nanoseconds? = nil, prefix: CompactAddressPrefix? = nil, suffix: UInt64? = nil) {
            self.hello = hello
            self.hold = hold
            self.prefix = prefix
            self.suffix = suffix
        }

        /// The hold time a hello announces.
        public var holdTime: Nanoseconds? { hello.map { hold ?? 3 * $0 } }
    }

    var neighboursYAML: String {
        guard let neighbours else { return "" }
        var fields: [String] = []
        if let hello = neighbours.hello { fields.append("hello: \(UnitText.duration(hello))") }
        if let hold = neighbours.hold { fields.append("hold: \(UnitText.duration(hold))") }
        if let prefix = neighbours.prefix { fields.append("prefix: \"\(prefix)\"") }
        if let suffix = neighbours.suffix { fields.append("suffix: \(suffix)") }
        return "neighbours: {\(fields.joined(separator: ", "))}\n"
    }
}

/// Reads a node file's `neighbours:` section.
struct NodeFileNeighboursParser {
    let reader: YAMLReader

    /// `keys`: a topology's section takes only the timers (its prefixes are the routers'
    /// `prefix`, its suffixes the interfaces').
    func neighbours(_ node: YAMLNode, role: NodeConfig.Role, dialect: PacketDialect,
                    keys: [String] = ["hello", "hold", "prefix", "suffix"]) -> NodeConfig.Neighbours? {
        guard let fields = reader.fields(node, "neighbours", allowed: keys) else { return nil }
        if dialect != .compact {
            reader.error(node, "neighbour discovery is OpenHarmony's, for the compact dialect", fix: "remove `neighbours:` or set `dialect: compact`")
        }
        var result = NodeConfig.Neighbours()
        result.hello = fields["hello"].flatMap { reader.quantity($0, "hello interval", Units.duration) }
        result.hold = fields["hold"].flatMap { reader.quantity($0, "hold time", Units.duration) }
        for (key, value) in [("hello", result.hello), ("hold", result.hold)] where value.map({ $0 <= 0 }) == true {
            reader.error(fields[key]!, "the \(key == "hello" ? "hello interval" : "hold time") must be positive", fix: "write e.g. 1s")
        }
        if let node = fields["hold"], result.hello == nil {
            reader.error(node, "a hold time without hellos", fix: "add `hello:` (how often the router sends them) or remove `hold:`")
        }
        if let node = fields["prefix"], let text = reader.text(node, "prefix") {
            if let prefix = CompactAddressPrefix(text), prefix.length >= 8 {
                result.prefix = prefix
                if result.hello == nil { reader.error(node, "a prefix is offered in hellos, and there are none", fix: "add `hello:`") }
            } else {
                reader.error(node, "`\(text)` is not a compact prefix of at least 8 bits", fix: "write e.g. 0xDE/8")
            }
        }
        if let node = fields["suffix"], let suffix = reader.integer(node, "suffix", in: 0...Int(Int64.max)) {
            result.suffix = UInt64(suffix)
            if role != .host { reader.error(node, "`suffix` is for hosts: a \(role.rawValue)'s addresses are configured", fix: "remove it, or set `role: host`") }
        }
        return result
    }
}
