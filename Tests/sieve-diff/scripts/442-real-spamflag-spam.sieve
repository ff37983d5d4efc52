require ["fileinto", "imap4flags"];
if header :contains "X-Spam-Flag" "YES" {
    fileinto :flags "\\Seen Junk" "Junk";
    stop;
}
