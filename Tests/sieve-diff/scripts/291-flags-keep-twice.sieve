require ["imap4flags"];
keep :flags "One";
keep :flags "Two";
