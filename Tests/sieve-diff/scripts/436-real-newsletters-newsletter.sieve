require ["fileinto", "imap4flags"];
# Newsletters and marketing go to their own folder, marked read
if anyof (exists "List-Unsubscribe",
          header :contains "Precedence" ["bulk", "junk"]) {
    fileinto :flags "\\Seen" "Newsletters";
    stop;
}
