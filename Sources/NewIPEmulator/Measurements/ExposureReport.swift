import NewIPJSON
import NewIPSecurity
import NewIPTopology
import NewIPWire

/// What each node on a flow's path could learn about its sender and do to it, computed from
/// what the packets showed on the wire when they reached the node (the emulator's packet
/// inspector, `ExposureObservations`), not from the configuration (docs/topology.md,
/// *Exposure report*). For each flow and each node its packets reached, in path order:
///
/// - **identity**: the source addresses the packets carried (`stable`: one address over the
///   whole flow) and whether that address is *proven* there (the node checked the packets'
///   authenticators as their first hop), *refused* (it checked them and they failed: a
///   forged key), *sealed* (they carry an authenticator this node cannot check) or
///   *unproven* (none);
/// - **links**: other flows whose packets at this node carried the same source address or
///   the same public key, so the node can tell they come from one device (or from a host
///   that claims its address);
/// - **block**: `device` when the node can cut this one device off without touching any
///   other (a registered domain's first hop: it forwards only proven packets, and the
///   domain's registrar can revoke the address); `address` when it can only drop packets by
///   the source address they carry (anyone may claim it, and in an open domain the owner can
///   send unproven packets instead);
/// - **payload**: readable, always (this project encrypts no payload), with the bytes seen.
public struct ExposureReport: Sendable {
    public struct Observer: Sendable {
        public var node: String
        /// The domain the node belongs to (a member host, a first hop or border router); `nil`: none.
        public var domain: String?
        public var packets: Int
        /// The source addresses the packets carried.
        public var sources: [String]
        /// One source address over every packet.
        public var stableSource: Bool
        /// The key ids of the public keys the packets carried (a self-certifying domain's
        /// senders carry theirs): an identity that outlives any address.
        public var keys: [String] = []
        /// One key over every packet: the node can follow the device by it.
        public var stableKey: Bool { keys.count == 1 }
        /// `proven`, `refused`, `sealed` or `unproven` (above).
        public var proof: String
        /// Flows this node can link to this one (same address or key).
        public var linkedFlows: [String]
        /// `device` or `address` (above).
        public var block: String
        public var payloadReadable: Bool
        public var payloadBytes: Int
        /// Packets the node dropped, by reason.
        public var refused: [(reason: String, count: Int)]
    }

    public struct Flow: Sendable {
        public var name: String
        public var from: String
        public var to: String
        public var observers: [Observer]
    }

    public var flows: [Flow]
}

extension ExposureReport {
    init(_ simulator: Simulator, _ governance: Governance) {
        let topology = simulator.topology
        guard let observations = simulator.observations else {
            flows = []
            return
        }
        var domainOf: [Int: String] = [:]
        var checks: [Int: (interfaces: Set<Int>, registered: Bool)] = [:]
        for domain in governance.domains {
            for node in domain.plan.members { domainOf[node] = domain.spec.name }
            for node in domain.plan.routers { domainOf[node] = domain.spec.name }
            for hop in domain.plan.firstHops { checks[hop.node] = (Set(hop.interfaces), domain.spec.admission == .registered) }
        }
        let records = observations.records
        flows = topology.flows.enumerated().map { index, flow in
            let seen = records[index].enumerated().compactMap { node, record in record.map { (node, $0) } }
                .sorted { $0.1.order < $1.1.order }
            let observers = seen.map { node, record -> Observer in
                let check = checks[node]
                let verified = check.map { !$0.interfaces.isDisjoint(with: record.interfaces) } ?? false
                // At a first hop that checks the packets, what its check found (a refused
                // authenticator proves nothing); elsewhere what the packets carry.
                let refusedSource = Governance.reasons.filter { $0 != .revoked }.reduce(0) { $0 + record.refused[$1.label, default: 0] }
                let proof = record.authenticated == 0 ? "unproven"
                    : !verified ? "sealed"
                    : refusedSource == 0 && record.authenticated == record.packets ? "proven" : "refused"
                var linked: [String] = []
                for (other, otherRecords) in records.enumerated() where other != index {
                    guard let theirs = otherRecords[node] else { continue }
                    if !theirs.sources.isDisjoint(with: record.sources) || !theirs.keys.isDisjoint(with: record.keys) {
                        linked.append(topology.flows[other].name)
                    }
                }
                let device = verified && check!.registered && proof == "proven"
                return Observer(node: topology.nodes[node].name, domain: domainOf[node], packets: record.packets,
                                sources: record.sources.map { "\($0)" }.sorted(), stableSource: record.sources.count == 1,
                                keys: record.keys.map { KeyID(publicKey: $0).description }.sorted(), proof: proof,
                                linkedFlows: linked, block: device ? "device" : "address", payloadReadable: true,
                                payloadBytes: record.payloadBytes,
                                refused: record.refused.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            }
            return Flow(name: flow.name, from: topology.name(of: flow.source), to: topology.name(of: flow.destination), observers: observers)
        }
    }

    var json: JSONValue {
        .array(flows.map { flow in
            .members([
                "flow": .string(flow.name), "from": .string(flow.from), "to": .string(flow.to),
                "observers": .array(flow.observers.map { observer in
                    .members([
                        "node": .string(observer.node),
                        "domain": observer.domain.map { .string($0) } ?? .null,
                        "packets": .int(observer.packets),
                        "sources": .array(observer.sources.map { .string($0) }),
                        "stable_source": .bool(observer.stableSource),
                        "keys": .array(observer.keys.map { .string($0) }),
                        "proof": .string(observer.proof),
                        "linked_flows": .array(observer.linkedFlows.map { .string($0) }),
                        "block": .string(observer.block),
                        "payload_readable": .bool(observer.payloadReadable),
                        "payload_bytes": .int(observer.payloadBytes),
                        "dropped": dropsJSON(observer.refused),
                    ])
                }),
            ])
        })
    }
}

extension ExposureReport {
    /// The report as `results.json`'s `exposure` section holds it (for `nip exposure`).
    public init(json: JSONValue) throws(JSONValue.FieldError) {
        guard let items = json.arrayValue else { throw JSONValue.FieldError(field: "exposure", problem: "is not a list") }
        var flows: [Flow] = []
        for item in items {
            var observers: [Observer] = []
            for observer in try item.field("observers").arrayValue ?? [] {
                let strings = { (key: String) throws(JSONValue.FieldError) -> [String] in
                    (try observer.field(key).arrayValue ?? []).compactMap(\.stringValue)
                }
                let dropped = (observer["dropped"]?.objectValue ?? []).map { ($0.0, $0.1.intValue ?? 0) }
                observers.append(Observer(
                    node: try observer.field("node").stringValue ?? "", domain: observer["domain"]?.stringValue,
                    packets: try observer.int("packets"), sources: try strings("sources"),
                    stableSource: observer["stable_source"]?.boolValue ?? false,
                    keys: (observer["keys"]?.arrayValue ?? []).compactMap(\.stringValue), proof: observer["proof"]?.stringValue ?? "",
                    linkedFlows: try strings("linked_flows"), block: observer["block"]?.stringValue ?? "",
                    payloadReadable: observer["payload_readable"]?.boolValue ?? true,
                    payloadBytes: observer["payload_bytes"]?.intValue ?? 0, refused: dropped))
            }
            flows.append(Flow(name: try item.field("flow").stringValue ?? "", from: item["from"]?.stringValue ?? "",
                              to: item["to"]?.stringValue ?? "", observers: observers))
        }
        self.flows = flows
    }

    /// The table's columns.
    public static let header = ["flow", "node", "domain", "packets", "identity", "links to", "block", "payload", "dropped here"]

    /// One row per flow and node on its path, in path order.
    public var rows: [[String]] {
        flows.flatMap { flow in
            flow.observers.map { observer in
                var identity = (observer.stableSource ? "stable " : "changing ") + observer.sources.joined(separator: ",") + " " + observer.proof
                if !observer.keys.isEmpty { identity += ", key " + observer.keys.joined(separator: ",") }
                return [flow.name, observer.node, observer.domain ?? "-", "\(observer.packets)", identity,
                        observer.linkedFlows.isEmpty ? "-" : observer.linkedFlows.joined(separator: ","),
                        observer.block == "device" ? "this device" : "by address",
                        observer.payloadReadable ? "readable" : "no",
                        observer.refused.isEmpty ? "-" : observer.refused.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")]
            }
        }
    }

    /// What the columns say, under the table.
    public static let legend = """
        identity: the source address(es) the flow's packets carried at the node (stable: one), and proven (its \
        first-hop check verified them), refused (the check failed), sealed (an authenticator it cannot check) or \
        unproven (none); key: the public key(s) the packets carried (self-certifying domains), which \
        identifies the device at every node on the path. links to: other flows whose packets there carried the same address or key. block: this \
        device (a registered domain's first hop, proven packets: refusing the address cuts off exactly this device), \
        or by address (dropping the address also drops anyone claiming it, and an open domain's device can send \
        unproven). payload: no payload is encrypted, so every node on the path reads it.
        """
}
