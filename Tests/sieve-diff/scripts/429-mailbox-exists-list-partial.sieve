require ["fileinto", "mailbox"];
if mailboxexists ["Work", "Missing"] {
    fileinto "yes";
} else {
    fileinto "no";
}
