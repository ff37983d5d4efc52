require ["fileinto", "imap4flags"];
addflag "\\Seen";
fileinto "A";
fileinto :flags "x" "A";
