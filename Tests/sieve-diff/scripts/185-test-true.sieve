require ["fileinto"];
if true {
    fileinto "yes";
} else {
    fileinto "no";
}
