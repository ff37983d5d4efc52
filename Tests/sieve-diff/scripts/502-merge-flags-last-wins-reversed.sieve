require ["fileinto", "imap4flags"];
fileinto :flags "x" "A";
addflag "\\Seen";
fileinto "A";
