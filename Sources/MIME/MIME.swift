/// The MIME module: RFC 5322 and RFC 2045-2049 parsing (filled in by the message-model work).
public enum MIME {}
