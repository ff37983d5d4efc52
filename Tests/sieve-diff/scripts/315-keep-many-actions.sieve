require ["fileinto", "imap4flags"];
fileinto "A";
redirect "a@example.net";
keep :flags "K";
fileinto :flags "\\Answered" "B";
discard;
