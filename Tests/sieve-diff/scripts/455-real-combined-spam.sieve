require ["fileinto", "reject", "envelope", "variables", "imap4flags", "body"];
if address :domain :is "from" ["lottery.example", "ads.example"] {
    reject "Unsolicited mail is not accepted.";
} elsif header :is "x-spam-flag" "yes" {
    fileinto "Junk";
} elsif body :text :contains "unsubscribe" {
    fileinto "Maybe-Bulk";
} elsif address :matches "from" "*@example.com" {
    set "who" "${1}";
    fileinto "People/${who}";
} else {
    keep;
}
