import IMAPWire

/// What the server says of itself to clients (the ID response, RFC 2971 §3.3).
public enum ServerIdentity {
    public static let name = "Postern"
    /// The release the source tree is: raised with each release.
    public static let version = "0.1.0"

    /// The server's ID fields, with the field names RFC 2971 §3.3 defines.
    static let idFields = [IDParameter(key: "name", value: name), IDParameter(key: "version", value: version)]
}
