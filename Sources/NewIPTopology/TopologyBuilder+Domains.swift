import NewIPDataPlane

extension TopologyBuilder {
    static let domainKeys = ["name", "admission", "members", "first-hops", "window", "checkpoint-interval", "not-enrolled",
                             "spoofers", "revocations", "border", "policy", "policy-changes", "self-certifying", "key-epoch"]

    /// `domains:` (docs/topology.md, *Governance*). Names are kept as written;
    /// `Topology.problems()` resolves them.
    func readDomains(_ node: YAMLNode) -> [Topology.Domain] {
        guard let items = reader.sequence(node, "`domains`") else { return [] }
        var domains: [Topology.Domain] = []
        for item in items {
            let before = reader.diagnostics.count
            guard let fields = reader.fields(item, "domain", allowed: Self.domainKeys, required: ["name", "admission", "members"]) else {
                continue
            }
            let name = fields["name"].flatMap { reader.name($0, "domain name") }
            let admission = fields["admission"].flatMap { reader.choice($0, "admission", Topology.Domain.Admission.self) }
            var positions = SourcePositions(reader.location(item))
            func names(_ key: String) -> [String]? {
                guard let node = fields[key] else { return nil }
                positions[key] = reader.location(node)
                var names: [String] = []
                for value in reader.items(node) {
                    guard let name = reader.name(value, "`\(key)` entry") else { continue }
                    positions["\(key).\(names.count)"] = reader.location(value)
                    names.append(name)
                }
                return names
            }
            let members = names("members") ?? []
            let firstHops = names("first-hops")
            let notEnrolled = names("not-enrolled") ?? []
            var window = Topology.Domain.defaultWindow
            if let node = fields["window"], let value = reader.quantity(node, "window", reader.units.duration) {
                window = value
                positions["window"] = reader.location(node)
            }
            var interval = Topology.Domain.defaultCheckpointInterval
            if let node = fields["checkpoint-interval"], let value = reader.quantity(node, "checkpoint-interval", reader.units.duration) {
                interval = value
                positions["checkpoint-interval"] = reader.location(node)
            }
            let spoofers = fields["spoofers"].map(readSpoofers) ?? []
            let revocations = fields["revocations"].map(readRevocations) ?? []
            let border = names("border") ?? []
            let policy = fields["policy"].map { reader.policyRules($0, "`policy`", dialect: dialect) } ?? []
            let changes = fields["policy-changes"].map(readPolicyChanges) ?? []
            var selfCertifying: Int?
            if let node = fields["self-certifying"], let bits = reader.integer(node, "self-certifying prefix length", in: 1...127) {
                selfCertifying = bits
                positions["self-certifying"] = reader.location(node)
            }
            var keyEpoch: Nanoseconds?
            if let node = fields["key-epoch"], let value = reader.quantity(node, "key-epoch", reader.units.duration) {
                keyEpoch = value
                positions["key-epoch"] = reader.location(node)
            }
            if let key = fields.key("name") { positions["name"] = reader.location(key) }
            guard let name, let admission else { continue }
            var domain = Topology.Domain(name: name, admission: admission, members: members, firstHops: firstHops, window: window,
                                         checkpointInterval: interval, notEnrolled: notEnrolled, spoofers: spoofers,
                                         revocations: revocations)
            domain.positions = positions
            domain.border = border
            domain.policy = policy
            domain.policyChanges = changes
            domain.selfCertifying = selfCertifying
            domain.keyEpoch = keyEpoch
            if reader.diagnostics.count > before { reported.insert(.domain(domains.count)) }
            domains.append(domain)
        }
        return domains
    }

    /// `{h3: h1}` or `{h3: {claims: h1, authenticator: none}}`.
    private func readSpoofers(_ node: YAMLNode) -> [Topology.Domain.Spoofer] {
        guard let mapping = reader.mapping(node, "`spoofers`") else { return [] }
        var spoofers: [Topology.Domain.Spoofer] = []
        for (key, value) in mapping {
            guard let host = reader.name(key, "spoofer") else { continue }
            if case .scalar = value {
                guard let claims = reader.name(value, "claimed host of `\(host)`") else { continue }
                spoofers.append(Topology.Domain.Spoofer(host: host, claims: claims, location: reader.location(key)))
                continue
            }
            guard let fields = reader.fields(value, "spoofer `\(host)`", allowed: ["claims", "authenticator"], required: ["claims"]),
                  let claims = fields["claims"].flatMap({ reader.name($0, "claimed host of `\(host)`") }) else { continue }
            let forgery = fields["authenticator"].flatMap { reader.choice($0, "authenticator", Topology.Domain.Forgery.self) } ?? .forged
            spoofers.append(Topology.Domain.Spoofer(host: host, claims: claims, authenticator: forgery, location: reader.location(key)))
        }
        return spoofers
    }

    /// `{h2: 2s, h5: 1500ms}`.
    private func readRevocations(_ node: YAMLNode) -> [Topology.Domain.Revocation] {
        guard let mapping = reader.mapping(node, "`revocations`") else { return [] }
        var revocations: [Topology.Domain.Revocation] = []
        for (key, value) in mapping {
            guard let host = reader.name(key, "revoked host"),
                  let at = reader.quantity(value, "revocation time of `\(host)`", reader.units.duration) else { continue }
            revocations.append(Topology.Domain.Revocation(host: host, at: at, location: reader.location(key)))
        }
        return revocations
    }

    /// `{2s: [rules], 3s: []}`.
    private func readPolicyChanges(_ node: YAMLNode) -> [Topology.Domain.PolicyChange] {
        guard let mapping = reader.mapping(node, "`policy-changes`") else { return [] }
        var changes: [Topology.Domain.PolicyChange] = []
        for (key, value) in mapping {
            guard let at = reader.quantity(key, "policy change time", reader.units.duration) else { continue }
            changes.append(Topology.Domain.PolicyChange(at: at, rules: reader.policyRules(value, "rules of the policy change at \(UnitText.duration(at))", dialect: dialect),
                                                        location: reader.location(key)))
        }
        return changes.sorted { $0.at < $1.at }
    }
}
