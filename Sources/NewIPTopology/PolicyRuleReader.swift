import NewIPDataPlane
import NewIPWire

extension YAMLReader {
    static let policyKeys = ["action", "from-domain", "to", "contract", "source"]

    /// A list of border policy rules, as topology files (a domain's `policy`) and node files
    /// (`border: {policy: …}`) write them:
    /// `[{action: deny, from-domain: campus, to: "0x70", contract: none, source: unproven}, ...]`.
    /// Domain names are kept as written; the caller resolves them.
    func policyRules(_ node: YAMLNode, _ context: String, dialect: PacketDialect) -> [Topology.PolicyRule] {
        guard let items = sequence(node, context) else { return [] }
        var rules: [Topology.PolicyRule] = []
        for item in items {
            guard let fields = fields(item, "policy rule", allowed: Self.policyKeys, required: ["action"]),
                  let action = fields["action"].flatMap({ choice($0, "action", Topology.PolicyRule.Action.self) }) else { continue }
            var from = Topology.PolicyRule.FromDomain.any
            if let node = fields["from-domain"] {
                guard let name = name(node, "`from-domain`") else { continue }
                from = name == "any" ? .any : name == "none" ? .none : .named(name)
            }
            var to: RoutePrefix?
            if let node = fields["to"] {
                guard let prefix = quantity(node, "`to`", { (text) throws(UnitProblem) in
                    try AddressText.prefixes(text, dialect: dialect).first!
                }) else { continue }
                to = prefix
            }
            let contract = fields["contract"].flatMap { choice($0, "contract", Topology.PolicyRule.ContractMatch.self) }
            let source = fields["source"].flatMap { choice($0, "source", Topology.PolicyRule.SourceMatch.self) }
            if fields["contract"] != nil && contract == nil || fields["source"] != nil && source == nil { continue }
            rules.append(Topology.PolicyRule(action: action, fromDomain: from, to: to, contract: contract ?? .any,
                                             source: source ?? .any, location: location(item)))
        }
        return rules
    }
}
