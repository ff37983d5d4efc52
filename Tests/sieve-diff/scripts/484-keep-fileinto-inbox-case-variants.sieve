require "fileinto";
fileinto "inbox";
fileinto "Inbox";
fileinto "INBOX.x";
