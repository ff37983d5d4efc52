require ["mboxmetadata", "fileinto"];
if metadataexists "INBOX" "/private/comment" {
    fileinto "has-comment";
}
