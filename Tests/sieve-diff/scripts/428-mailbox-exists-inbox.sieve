require ["fileinto", "mailbox"];
if mailboxexists "INBOX" {
    fileinto "yes";
} else {
    fileinto "no";
}
