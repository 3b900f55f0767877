import NewIPDataPlane
import NewIPWire

extension NodeConfig {
    /// A node file's `border:` section (docs/node.md, "Border policy"): the domain this router
    /// guards, which source addresses belong to which domain, and the rules it evaluates on every
    /// New IP packet that arrives (first match decides, default permit). `nip up` writes it for a
    /// topology domain's `border` routers.
    public struct Border: Sendable, Equatable {
        /// A domain and its members' addresses: a source address among them comes from it.
        public struct Domain: Sendable, Equatable {
            public var name: String
            public var members: [FrameworkAddress]

            public init(name: String, members: [FrameworkAddress]) {
                self.name = name
                self.members = members
            }
        }

        /// The domain this router is a border of (one of `domains`).
        public var domain: String
        /// Numbered 1, 2, … in this order, as a topology numbers its domains (the numbers path
        /// constraints carry).
        public var domains: [Domain]
        /// The guarded domain's first-hop secret file: with it, its members' packets are proven
        /// here when their authenticators verify; without, only the node's own first-hop check
        /// proves sources.
        public var secret: String?
        /// Accepted |now − timestamp| of an authenticator proven with `secret`.
        public var window: Nanoseconds
        /// The guarded domain's secret rotates with this period (`secret` is then the master;
        /// docs/wire.md, "Key epochs"); `nil`: it never changes.
        public var keyEpoch: Nanoseconds?
        public var policy: [Topology.PolicyRule]

        public init(domain: String, domains: [Domain], secret: String? = nil, window: Nanoseconds = Security.defaultWindow,
                    policy: [Topology.PolicyRule]) {
            self.domain = domain
            self.domains = domains
            self.secret = secret
            self.window = window
            self.policy = policy
        }

        /// The number of the domain named `name` (1-based, in `domains` order).
        public func number(of name: String) -> UInt16? {
            domains.firstIndex { $0.name == name }.map { UInt16(truncatingIfNeeded: $0 + 1) }
        }

        public static func == (a: Border, b: Border) -> Bool {
            (a.domain, a.secret, a.window, a.keyEpoch) == (b.domain, b.secret, b.window, b.keyEpoch) && a.domains == b.domains
                && a.policy.map(\.text) == b.policy.map(\.text)
        }

        /// The section as node-file YAML.
        var yaml: String {
            var out = "border:\n  domain: \(domain)\n"
            if let secret { out += "  secret: \"\(secret)\"\n" }
            out += "  window: \(UnitText.duration(window))\n"
            if let keyEpoch { out += "  key-epoch: \(UnitText.duration(keyEpoch))\n" }
            out += "  domains:\n"
            for entry in domains {
                out += "    \(entry.name): [\(entry.members.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
            }
            out += "  policy: [\(policy.map(\.text).joined(separator: ", "))]\n"
            return out
        }
    }

    /// The `border:` section as YAML, empty when the node has none.
    var borderYAML: String { border?.yaml ?? "" }
}

/// Reads a node file's `border:` section.
struct NodeFileBorderParser {
    let reader: YAMLReader

    static let keys = ["domain", "domains", "secret", "window", "key-epoch", "policy"]

    func border(_ node: YAMLNode, role: NodeConfig.Role, dialect: PacketDialect) -> NodeConfig.Border? {
        guard let f = reader.fields(node, "border", allowed: Self.keys, required: ["domain", "domains"]) else { return nil }
        if role == .host {
            reader.error(node, "a host is no domain border: it forwards nothing", fix: "remove `border:`, or set `role: router`")
            return nil
        }
        var domains: [NodeConfig.Border.Domain] = []
        var owner: [FrameworkAddress: String] = [:]
        if let node = f["domains"], let mapping = reader.mapping(node, "`domains` of the border") {
            for (key, value) in mapping {
                guard let name = reader.name(key, "domain name") else { continue }
                guard !domains.contains(where: { $0.name == name }) else {
                    reader.error(key, "domain `\(name)` is listed twice", fix: "list each domain once, with all its members")
                    continue
                }
                var members: [FrameworkAddress] = []
                for item in reader.items(value) {
                    guard let address = reader.quantity(item, "member address of `\(name)`", { (text) throws(UnitProblem) in
                        try AddressText.address(text, dialect: dialect)
                    }) else { continue }
                    if let other = owner[address] {
                        reader.error(item, "address \(address) is listed under `\(other)` and `\(name)`",
                                     fix: "an address belongs to one domain: remove it from one of them")
                        continue
                    }
                    owner[address] = name
                    members.append(address)
                }
                domains.append(NodeConfig.Border.Domain(name: name, members: members))
            }
        }
        let names = domains.map(\.name)
        let guarded = f["domain"].flatMap { reader.name($0, "border domain") }
        if let guarded, let node = f["domain"], !names.contains(guarded) {
            reader.error(node, "the border's domain `\(guarded)` is not among its `domains`\(Suggestion.hint(for: guarded, in: names))",
                         fix: "add `\(guarded): [its members' addresses]` under `domains`")
        }
        let policy = f["policy"].map { reader.policyRules($0, "`policy` of the border", dialect: dialect) } ?? []
        reader.checkDomains(of: policy, among: names, at: f.node)
        var window = NodeConfig.Security.defaultWindow
        if let node = f["window"], let value = reader.quantity(node, "window", Units.duration) {
            if value <= 0 || value > 600_000_000_000 {
                reader.error(node, "window \(UnitText.duration(value)) is outside 1ns…10min", fix: "write e.g. `window: 2s`")
            } else {
                window = value
            }
        }
        var keyEpoch: Nanoseconds?
        if let node = f["key-epoch"], let period = reader.quantity(node, "key-epoch", Units.duration) {
            if period < 2 * window {
                reader.error(node, "key-epoch \(UnitText.duration(period)) is shorter than twice the window (\(UnitText.duration(window)))",
                             fix: "use at least \(UnitText.duration(2 * window)), as the guarded domain's first hops do")
            } else {
                keyEpoch = period
            }
        }
        guard let guarded else { return nil }
        var border = NodeConfig.Border(domain: guarded, domains: domains, secret: f["secret"].flatMap { reader.text($0, "secret file") },
                                       window: window, policy: policy)
        border.keyEpoch = keyEpoch
        return border
    }
}

extension NodeConfig.Border {
    /// A new rule list for this border, as `POST /policy` carries it: the rules as YAML or JSON
    /// (`[{"action": "deny", "from-domain": "lab"}]`), each domain one of `domains`. `source`
    /// names the text in errors.
    public func rules(parsing text: String, source: String, dialect: PacketDialect) throws(TopologyError) -> [Topology.PolicyRule] {
        let root = try YAMLReader.root(of: text, file: source, empty: "give the rules as a list, e.g. [{action: deny, from-domain: lab}] ([] permits all)")
        let reader = YAMLReader(file: source, guide: "docs/node.md")
        let rules = reader.policyRules(root, "the policy", dialect: dialect)
        reader.checkDomains(of: rules, among: domains.map(\.name), at: root)
        guard reader.diagnostics.isEmpty else { throw TopologyError(reader.diagnostics) }
        return rules
    }
}

extension YAMLReader {
    /// Reports every rule whose `from-domain` is none of `names`.
    func checkDomains(of rules: [Topology.PolicyRule], among names: [String], at node: YAMLNode) {
        for rule in rules {
            guard case .named(let name) = rule.fromDomain, !names.contains(name) else { continue }
            error(at: rule.location ?? location(node),
                  "policy rule names domain `\(name)`, which is not among the border's `domains`\(Suggestion.hint(for: name, in: names))",
                  fix: "name one of \(names.joined(separator: ", ")), or `any` or `none`")
        }
    }
}
