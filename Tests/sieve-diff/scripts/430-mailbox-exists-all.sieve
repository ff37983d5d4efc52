require ["fileinto", "mailbox"];
if mailboxexists ["Work", "Lists"] {
    fileinto "yes";
} else {
    fileinto "no";
}
