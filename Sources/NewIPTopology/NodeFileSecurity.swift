import NewIPDataPlane

extension NodeConfig {
    /// A node file's `security:` section (docs/node.md, "Registered mode"): on a router, the
    /// first-hop source authentication it runs and the registrar it follows for revocations;
    /// on a host, the enrolment (certificate and source key) it seals its packets with.
    public struct Security: Sendable, Equatable {
        /// The domain's admission mode at this first hop (`NewIPNode.SourceAuthentication.Admission`).
        public enum Admission: String, Sendable, CaseIterable {
            case open, registered
        }

        public var admission: Admission
        /// The interfaces that face hosts (checked); names of the node's interfaces.
        public var firstHop: [String]
        /// The domain's first-hop secret file (`nip registrar init` writes it; mode 0600).
        public var secret: String?
        /// Accepted |now − timestamp| of an authenticator.
        public var window: Nanoseconds
        /// The registrar whose `/revocations` the router follows (`nil`: no revocations).
        public var registrar: Endpoint?
        /// How often the router asks the registrar for new revocations.
        public var checkpointInterval: Nanoseconds
        /// The registrar's log verifier key (`name+hash+key`, as `nip registrar init` prints it):
        /// with it the router acts only on revocations proven in the registrar's signed log.
        public var logKey: String?
        /// A host's enrolment file (`nip enrol --out`): it seals every packet its applications send.
        public var enrolment: String?
        /// A first hop's device key file (`nip key generate`): with it, a refused source gets a
        /// signed refusal notice (docs/node.md, "Refusal notices"); without, refusals are silent.
        public var noticesKey: String?
        /// Open mode: the prefix length of the domain's self-certifying addresses. A first hop
        /// refuses a packet whose carried key does not own its source (`spoofed-source`); a
        /// host puts its key (its certificate's) in every packet it seals.
        public var selfCertifying: Int?
        /// The first-hop secret rotates every `keyEpoch` (docs/wire.md, "Key epochs"; the
        /// secret file holds the master), the previous epoch accepted for `window` after each
        /// boundary; `nil`: the secret never changes.
        public var keyEpoch: Nanoseconds?
        /// A host's device key file (the key it enrolled with): with `key-epoch` and
        /// `registrar`, it signs its requests for each epoch's source key (`POST /source-key`).
        public var identity: String?

        public static let defaultWindow: Nanoseconds = 2_000_000_000
        public static let defaultCheckpointInterval: Nanoseconds = 1_000_000_000

        public init(admission: Admission = .open, firstHop: [String] = [], secret: String? = nil,
                    window: Nanoseconds = Self.defaultWindow, registrar: Endpoint? = nil,
                    checkpointInterval: Nanoseconds = Self.defaultCheckpointInterval, enrolment: String? = nil,
                    noticesKey: String? = nil, logKey: String? = nil) {
            self.admission = admission
            self.firstHop = firstHop
            self.secret = secret
            self.window = window
            self.registrar = registrar
            self.checkpointInterval = checkpointInterval
            self.enrolment = enrolment
            self.noticesKey = noticesKey
            self.logKey = logKey
        }

        /// Whether this node checks sources (a router or gateway with first-hop interfaces).
        public var verifies: Bool { !firstHop.isEmpty }

        /// The section as node-file YAML (what `yaml` appends).
        var yaml: String {
            func quoted(_ text: String) -> String { "\"\(text)\"" }
            var out = "security:\n"
            if enrolment == nil, let identity { out += "  identity: \(quoted(identity))\n" }
            if let enrolment {
                out += "  enrolment: \(quoted(enrolment))\n"
                if let identity { out += "  identity: \(quoted(identity))\n" }
                if let registrar, !verifies { out += "  registrar: \(quoted(registrar.description))\n" }
                if let keyEpoch, !verifies { out += "  key-epoch: \(UnitText.duration(keyEpoch))\n" }
            }
            if let selfCertifying { out += "  self-certifying: \(selfCertifying)\n" }
            if verifies {
                out += "  admission: \(admission.rawValue)\n"
                out += "  first-hop: [\(firstHop.joined(separator: ", "))]\n"
                if let secret { out += "  secret: \(quoted(secret))\n" }
                out += "  window: \(UnitText.duration(window))\n"
                if let registrar { out += "  registrar: \(quoted(registrar.description))\n" }
                out += "  checkpoint-interval: \(UnitText.duration(checkpointInterval))\n"
                if let noticesKey { out += "  notices-key: \(quoted(noticesKey))\n" }
                if let keyEpoch { out += "  key-epoch: \(UnitText.duration(keyEpoch))\n" }
                if let logKey { out += "  log-key: \(quoted(logKey))\n" }
            }
            return out
        }
    }
}

/// Reads a node file's `security:` section (called by the node-file parser once the
/// interfaces are read). File paths are kept as written: relative ones are relative to the
/// folder the node runs in.
struct NodeFileSecurityParser {
    let reader: YAMLReader

    static let keys = ["admission", "first-hop", "secret", "window", "registrar", "checkpoint-interval", "notices-key", "log-key",
                       "enrolment", "self-certifying", "key-epoch", "identity"]
    static let routerKeys = ["admission", "first-hop", "secret", "window", "registrar", "checkpoint-interval", "notices-key", "log-key",
                             "key-epoch"]

    func security(_ node: YAMLNode, role: NodeConfig.Role, interfaces: [String]) -> NodeConfig.Security? {
        guard let f = reader.fields(node, "security", allowed: Self.keys) else { return nil }
        var security = NodeConfig.Security()
        if let node = f["enrolment"] {
            security.enrolment = reader.text(node, "enrolment file")
            if role != .host {
                reader.error(f.key("enrolment"), "`enrolment` is for hosts: a \(role.rawValue) does not seal what it forwards",
                             fix: "remove it, or set `role: host`")
            }
        }
        if let node = f["self-certifying"] {
            security.selfCertifying = reader.integer(node, "self-certifying prefix length", in: 1...127)
        }
        // A host that renews its source key each epoch: its key, its registrar, the period.
        // A self-certifying host's key alone: its address is formed from it (`neighbours:`).
        if role == .host, f["identity"] != nil, f["key-epoch"] == nil, f["enrolment"] == nil, security.selfCertifying != nil {
            security.identity = f["identity"].flatMap { reader.text($0, "identity key file") }
            return security
        }
        if role == .host, f["key-epoch"] != nil || f["identity"] != nil {
            security.identity = f["identity"].flatMap { reader.text($0, "identity key file") }
            if let node = f["registrar"], let text = reader.text(node, "registrar") {
                security.registrar = NodeConfig.Endpoint(text)
                if security.registrar == nil { reader.error(node, "registrar `\(text)` is not host:port", fix: "write e.g. 127.0.0.1:7400") }
            }
            security.keyEpoch = f["key-epoch"].flatMap { reader.quantity($0, "key-epoch", Units.duration) }
            if security.keyEpoch == nil || security.identity == nil || f["registrar"] == nil || security.enrolment == nil {
                reader.error(node, "a host renews its source key each `key-epoch` with its `identity` key at its `registrar`, for its `enrolment`: all four are needed",
                             fix: "write `security: {enrolment: h1.enrolment, identity: h1.key, registrar: 127.0.0.1:7400, key-epoch: 60min}`")
            }
            return security
        }
        let routerKeysGiven = Self.routerKeys.filter { f[$0] != nil }
        if role == .host, let first = routerKeysGiven.first {
            reader.error(f.key(first), "`\(first)` is for the first-hop router; a host does not check sources",
                         fix: "remove it (a host has `security: {enrolment: h1.enrolment}`)")
            return security
        }
        if role != .host, !routerKeysGiven.isEmpty {
            security.admission = f["admission"].flatMap { reader.choice($0, "admission", NodeConfig.Security.Admission.self) } ?? .open
            if let node = f["first-hop"] {
                for item in reader.items(node) {
                    guard let name = reader.text(item, "a first-hop interface") else { continue }
                    guard interfaces.contains(name) else {
                        reader.error(item, "no interface `\(name)`\(Suggestion.hint(for: name, in: interfaces))",
                                     fix: "name the interfaces that face hosts, among \(interfaces.joined(separator: ", "))")
                        continue
                    }
                    if !security.firstHop.contains(name) { security.firstHop.append(name) }
                }
            } else {
                reader.error(node, "security names no `first-hop` interfaces, so no packet would be checked",
                             fix: "add `first-hop: [eth0]` (the interfaces that face hosts)")
            }
            if let node = f["notices-key"] { security.noticesKey = reader.text(node, "notices key file") }
            if let node = f["log-key"] { security.logKey = reader.text(node, "log key") }
            if let node = f["secret"] {
                security.secret = reader.text(node, "secret file")
            } else {
                reader.error(node, "a first hop needs the domain's first-hop secret to derive source keys",
                             fix: "add `secret: domain.secret` (`nip registrar init` writes it)")
            }
            if let node = f["window"], let window = reader.quantity(node, "window", Units.duration) {
                if window <= 0 || window > 600_000_000_000 {
                    reader.error(node, "window \(UnitText.duration(window)) is outside 1ns…10min",
                                 fix: "write e.g. `window: 2s` (the authenticator's timestamp wraps every 71 minutes)")
                } else {
                    security.window = window
                }
            }
            if let node = f["registrar"], let text = reader.text(node, "registrar") {
                if let endpoint = NodeConfig.Endpoint(text) {
                    security.registrar = endpoint
                } else {
                    reader.error(node, "registrar `\(text)` is not host:port", fix: "write e.g. 127.0.0.1:7400")
                }
            }
            if security.selfCertifying != nil, security.admission != .open {
                reader.error(f.key("self-certifying"), "self-certifying addresses are the open mode's; a registered domain binds addresses by certificate",
                             fix: "remove `self-certifying`, or set `admission: open`")
            }
            if let node = f["key-epoch"], let period = reader.quantity(node, "key-epoch", Units.duration) {
                if period < 2 * security.window {
                    reader.error(node, "key-epoch \(UnitText.duration(period)) is shorter than twice the window (\(UnitText.duration(security.window)))",
                                 fix: "use at least \(UnitText.duration(2 * security.window)), so the previous epoch's grace ends before the next rotation")
                } else {
                    security.keyEpoch = period
                }
            }
            if let node = f["checkpoint-interval"], let interval = reader.quantity(node, "checkpoint-interval", Units.duration) {
                if interval < 10_000_000 {
                    reader.error(node, "checkpoint-interval \(UnitText.duration(interval)) is shorter than 10ms",
                                 fix: "write e.g. `checkpoint-interval: 1s`")
                } else {
                    security.checkpointInterval = interval
                }
            }
        }
        return security
    }
}

extension NodeConfig {
    /// The `security:` section as YAML, empty when the node has none.
    var securityYAML: String { security?.yaml ?? "" }
}
