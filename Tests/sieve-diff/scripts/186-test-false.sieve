require ["fileinto"];
if false {
    fileinto "yes";
} else {
    fileinto "no";
}
