require ["imap4flags", "fileinto"];
setflag "\\Seen";
fileinto :flags "Other" "A";
fileinto "B";
