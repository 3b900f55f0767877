/// How `routing: dynamic` authenticates its packets in the emulator (`routing: {protocol:
/// dynamic, authentication: signature}`, docs/topology.md). Keys come from the seed.
public enum RoutingAuthentication: String, Sendable, CaseIterable {
    /// None (the emulator's default: every node is the emulator's own).
    case none
    /// An HMAC-SHA256 key per link, as real nodes use by default.
    case hmac
    /// Each router signs with its Ed25519 identity and shows a certificate for its block from
    /// the network's registrar; neighbours refuse what the registrar did not certify.
    case signature
}
