require ["imap4flags", "fileinto", "variables"];
if header :contains "from" "boss@example.org" {
    setflag "flagvar" "\\Flagged";
    fileinto :flags "${flagvar}" "INBOX.From Boss";
}
