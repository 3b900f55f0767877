import NewIPJSON
import NewIPNode
import NewIPTopology

/// A border router's policy on the control endpoint (docs/node.md, "Border policy"):
/// `GET /policy` shows the rules in force and what each matched since they were put in force;
/// `POST /policy` puts a new list in force (as a topology's `policy-changes` does in the
/// emulator), logged with what the previous rules decided.
extension Node {
    func policyJSON() -> JSONValue {
        guard let border = config.border, let counters = dataPlane.core.borderPolicy?.counters else {
            return .object([("border", .bool(false))])
        }
        return .object([
            ("border", .bool(true)), ("domain", .string(border.domain)),
            ("domains", .array(border.domains.map { .string($0.name) })),
            ("proves_members", .bool(border.secret != nil)), ("changes", .int(security.policyChanges)),
            ("rules", .array(zip(security.borderRules, counters.matches).map { rule, matched in
                .object([("rule", .string(rule.text)), ("matched", .int(matched))])
            })),
            ("default_permits", .int(counters.defaultPermits)),
        ])
    }

    func replacePolicy(_ body: String) -> ControlResponse {
        guard let border = config.border else {
            return problem("this node has no `border:` section: it is no domain border, so it has no policy to replace")
        }
        let rules: [Topology.PolicyRule]
        do { rules = try border.rules(parsing: body, source: "POST /policy", dialect: config.dialect) } catch {
            return problem(error.description)
        }
        let previous = dataPlane.core.replacePolicyRules(rules.map { BorderPolicy.Rule($0, number: border.number(of:)) })
        let before = security.borderRules
        security.borderRules = rules
        security.policyChanges += 1
        let decided = zip(before, previous?.matches ?? []).map { "\($0.text) matched \($1)" }
            + ["default permits \(previous?.defaultPermits ?? 0)"]
        logger.notice("border policy changed", metadata: [
            "rules": "\(rules.map(\.text).joined(separator: ", "))", "previous": "\(decided.joined(separator: "; "))",
        ])
        return .json(.object([("rules", .int(rules.count)), ("changes", .int(security.policyChanges))]))
    }
}
