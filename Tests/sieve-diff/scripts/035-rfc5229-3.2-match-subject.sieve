require ["fileinto", "variables"];
if header :matches "Subject" "[*] *" {
    fileinto "INBOX.lists.${1}"; stop;
}
