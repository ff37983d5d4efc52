keep "INBOX";
