require ["fileinto", "imap4flags"];
keep :flags "one";
fileinto "INBOX";
