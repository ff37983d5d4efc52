require ["fileinto", "date", "index"];
if date :index 1 :last :zone "+0000" :is "received" "second" "50" {
    fileinto "yes";
} else {
    fileinto "no";
}
